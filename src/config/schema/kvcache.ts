// `kvcache:` section: the prefix index fed by the engines' KV events.
import { z } from "zod";

export const KvCacheSchema = z.strictObject({
  events: z.boolean().default(true).describe("subscribe to engines' KV events"),
  max_index_entries: z.number().int().min(1000).default(10_000_000),
  speculative_ttl_ms: z
    .number()
    .int()
    .min(0)
    .default(2000)
    .describe(
      "lifetime of an index entry inserted at routing time before its KV event confirms it (0 = none)",
    ),
  keys_timeout_ms: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(250)
    .describe("longest a request waits for its block keys (tokenizer worker or engine render)"),
  redis_url: z.string().min(1).optional().describe("share the index between gateways"),
});

export type KvCacheConfig = z.infer<typeof KvCacheSchema>;
