// `kv_transfer_params` as NixlConnector reads and writes them (vllm-interfaces.md §4.2): the prefill-side
// response dict and the validation of a request's params, with 400-style messages.
import { z } from "zod";

/** Where a remote-prefill decode pulls its prompt's KV from (the prefill response's fields). */
export interface RemotePrefillSource {
  readonly engineId: string;
  readonly requestId: string;
  readonly host: string;
  readonly port: number;
  /** One list of block ids per KV-cache group. */
  readonly blockIds: readonly (readonly number[])[];
  readonly tpSize: number | null;
  readonly numTokens: number | null;
}

/** What a request's kv_transfer_params ask of this engine. */
export type KvTransferIntent =
  | { readonly kind: "none" }
  /** Prefill leg: compute the prompt, emit one token, hold the blocks for a remote decoder. */
  | { readonly kind: "remote_decode" }
  /** Decode leg: the prompt's KV comes from `source`. */
  | { readonly kind: "remote_prefill"; readonly source: RemotePrefillSource };

export type KvTransferParamsResult =
  | { readonly ok: true; readonly intent: KvTransferIntent }
  | { readonly ok: false; readonly error: string };

export interface PrefillResponseArgs {
  readonly blockIds: readonly (readonly number[])[];
  readonly engineId: string;
  readonly requestId: string;
  readonly host: string;
  /** The side-channel port including the DP offset. */
  readonly port: number;
  readonly tpSize: number;
  readonly numTokens: number;
}

/** The dict `NixlConnectorScheduler.request_finished` returns on the prefill side (§4.2 step 3). */
export function buildPrefillResponseParams(args: PrefillResponseArgs): Record<string, unknown> {
  return {
    do_remote_prefill: true,
    do_remote_decode: false,
    remote_block_ids: args.blockIds.map((group) => [...group]),
    remote_engine_id: args.engineId,
    remote_request_id: args.requestId,
    remote_host: args.host,
    remote_port: args.port,
    tp_size: args.tpSize,
    remote_num_tokens: args.numTokens,
  };
}

const BlockId = z.int().min(0);
// Releases before per-group lists sent one flat list; it is read as a single group.
const BlockIds = z.union([z.array(z.array(BlockId)), z.array(BlockId).transform((flat) => [flat])], {
  error: "expected a list of block-id lists (one per KV-cache group)",
});

// Unknown keys pass through: the proxy treats the dict as opaque (§4.2), so newer fields must not fail.
const ParamsSchema = z.looseObject({
  do_remote_decode: z.boolean().nullish(),
  do_remote_prefill: z.boolean().nullish(),
  remote_engine_id: z.string().min(1).nullish(),
  remote_request_id: z.string().min(1).nullish(),
  remote_host: z.string().min(1).nullish(),
  remote_port: z.int().min(1).max(65535).nullish(),
  remote_block_ids: BlockIds.nullish(),
  tp_size: z.int().min(1).nullish(),
  remote_num_tokens: z.int().min(0).nullish(),
});

const REQUIRED_FOR_PULL = [
  "remote_engine_id",
  "remote_request_id",
  "remote_host",
  "remote_port",
  "remote_block_ids",
] as const;

/** Validates a request's `kv_transfer_params` (absent/null = no transfer). Never throws. */
export function parseKvTransferParams(raw: unknown): KvTransferParamsResult {
  if (raw === undefined || raw === null) return { ok: true, intent: { kind: "none" } };
  const parsed = ParamsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
  const p = parsed.data;
  if (p.do_remote_decode === true && p.do_remote_prefill === true) {
    return {
      ok: false,
      error: "kv_transfer_params: do_remote_decode and do_remote_prefill cannot both be true",
    };
  }
  if (p.do_remote_decode === true) return { ok: true, intent: { kind: "remote_decode" } };
  if (p.do_remote_prefill !== true) return { ok: true, intent: { kind: "none" } };
  const missing = REQUIRED_FOR_PULL.filter((key) => p[key] === undefined || p[key] === null);
  if (missing.length > 0) {
    return { ok: false, error: `kv_transfer_params: do_remote_prefill needs ${missing.join(", ")}` };
  }
  const source: RemotePrefillSource = {
    engineId: p.remote_engine_id ?? "",
    requestId: p.remote_request_id ?? "",
    host: p.remote_host ?? "",
    port: p.remote_port ?? 0,
    blockIds: p.remote_block_ids ?? [],
    tpSize: p.tp_size ?? null,
    numTokens: p.remote_num_tokens ?? null,
  };
  return { ok: true, intent: { kind: "remote_prefill", source } };
}

function describeIssues(error: z.ZodError): string {
  const problems = error.issues.map(function describe(issue): string {
    const path = issue.path.length > 0 ? `kv_transfer_params.${issue.path.join(".")}` : "kv_transfer_params";
    return `${path}: ${issue.message}`;
  });
  return problems.join("; ");
}
