// Each endpoint's cached prefix of the request from the KV-event-fed index (what the engines really
// hold, GPU 1.0 / CPU 0.8), written as the same prefix-match data the approximate producer writes, so
// the prefix scorer, the affinity filter and the P/D decider read precise data unchanged (llm-d's
// precise-prefix-cache-producer, llm-d-reference §2.1/§6). Reads request.prefixKeys and the index.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY, PREFIX_MATCH_KEY } from "../data-keys.ts";
import type { CycleState, PluginDeps, Producer, SchedulingRequest } from "../types.ts";

export const TYPE = "precise-prefix-cache-producer";

export const Params = z.strictObject({
  speculativeIndexing: z
    .boolean()
    .default(true)
    .describe("insert the request's blocks for the picked endpoint before its KV events arrive"),
  speculativeTtlMs: z
    .number()
    .int()
    .min(1)
    .max(60_000)
    .default(2000)
    .describe("lifetime of speculative entries not confirmed by a BlockStored event"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [DESCRIPTOR_KEY],
    produces: [PREFIX_MATCH_KEY],
    produce: function producePrecisePrefixMatch(
      request: SchedulingRequest,
      endpoints: readonly EndpointSnapshot[],
      cycle: CycleState,
    ) {
      const prefix = request.prefixKeys;
      if (prefix === undefined || deps.prefixIndex === undefined || prefix.keys.length === 0) {
        // No keys (no tokenizer in time) or no index: an empty match, which every consumer reads as "no data".
        cycle.set(PREFIX_MATCH_KEY, { totalBlocks: 0, blockSizeTokens: 16, matchedBlocks: () => 0 });
        return;
      }
      const lengths = deps.prefixIndex.matchLengths(
        prefix.keys,
        endpoints.map((e) => e.descriptor.id),
      );
      cycle.set(PREFIX_MATCH_KEY, {
        totalBlocks: prefix.keys.length,
        blockSizeTokens: prefix.blockSizeTokens,
        matchedBlocks: (endpointId: string) => lengths.get(endpointId)?.weightedBlocks ?? 0,
      });
    },
    preRequest: function insertSpeculativeBlocks(request: SchedulingRequest, endpointId: string) {
      const prefix = request.prefixKeys;
      if (!params.speculativeIndexing || prefix === undefined || deps.prefixIndex === undefined) return;
      deps.prefixIndex.insertSpeculative(endpointId, prefix.keys, params.speculativeTtlMs);
    },
  } satisfies Producer;
}
