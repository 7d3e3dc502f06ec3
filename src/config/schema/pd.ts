// `pd:` section: how the gateway runs the prefill leg of disaggregated requests.
import { z } from "zod";

export const PdSchema = z.strictObject({
  prefill_timeout_ms: z.number().int().min(100).default(30_000),
  prefill_max_retries: z.number().int().min(0).max(5).default(1),
  fallback_to_decode_only: z
    .boolean()
    .default(true)
    .describe("after prefill fails on every try, serve the request on the decode engine alone"),
});

export type PdConfig = z.infer<typeof PdSchema>;
