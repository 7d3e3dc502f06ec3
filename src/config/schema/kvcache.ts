// `kvcache:` section: the prefix index fed by the engines' KV events.
import { z } from "zod";

export const KvCacheSchema = z.strictObject({
  events: z.boolean().default(true).describe("subscribe to engines' KV events"),
  max_index_entries: z.number().int().min(1000).default(10_000_000),
  speculative_ttl_ms: z.number().int().min(0).default(2000),
  redis_url: z.string().min(1).optional().describe("share the index between gateways"),
});

export type KvCacheConfig = z.infer<typeof KvCacheSchema>;
