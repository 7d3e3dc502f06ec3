// The role an endpoint plays in P/D: llm-d's `llm-d.ai/role` label when present, else the descriptor's
// role (llm-d-reference §2.4). Shared by decode-filter and prefill-filter.
import type { EndpointSnapshot } from "../../pool/index.ts";

export const ROLE_LABEL = "llm-d.ai/role";

/** Role values that can decode, as llm-d's decode-filter lists them. */
export const DECODE_ROLES: ReadonlySet<string> = new Set([
  "decode",
  "prefill-decode",
  "both",
  "encode-prefill-decode",
]);

/** Role values that can prefill, as llm-d's prefill-filter lists them. */
export const PREFILL_ROLES: ReadonlySet<string> = new Set([
  "prefill",
  "encode-prefill",
  "prefill-decode",
  "both",
  "encode-prefill-decode",
]);

/** The endpoint's role label value, or its descriptor role when unlabeled. */
export function roleOf(endpoint: EndpointSnapshot): string {
  return endpoint.descriptor.labels[ROLE_LABEL] ?? endpoint.descriptor.role;
}
