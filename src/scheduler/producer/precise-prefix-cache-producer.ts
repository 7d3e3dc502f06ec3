// Each endpoint's cached prefix of the request from the KV-event-fed index (what the engines really
// hold, GPU 1.0 / CPU 0.8), written as the same prefix-match data the approximate producer writes, so
// the prefix scorer, the affinity filter and the P/D decider read precise data unchanged (llm-d's
// precise-prefix-cache-producer, llm-d-reference §2.1/§6). Reads request.prefixKeys and the index.
// A request without keys (a route the gateway does not tokenize, no tokenizer in time) falls back to
// the approximate estimate, which learns from those requests alone.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY, METRICS_KEY, PREFIX_MATCH_KEY } from "../data-keys.ts";
import type { CycleState, PluginDeps, Producer, SchedulingRequest } from "../types.ts";
import * as approx from "./approx-prefix-cache-producer.ts";

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
    .optional()
    .describe("lifetime of speculative entries not confirmed by a BlockStored event; unset: the index's own"),
  approximateFallback: z
    .boolean()
    .default(true)
    .describe("requests without block keys use the approximate producer's estimate instead of no match"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, deps: PluginDeps) {
  const fallback = params.approximateFallback
    ? approx.create(`${name}/approximate`, approx.Params.parse({}), deps)
    : null;
  // Decided per request, the same way at decision and at pick, so the fallback learns what it scored.
  const isApproximated = (request: SchedulingRequest) =>
    fallback !== null &&
    (deps.prefixIndex === undefined ||
      request.prefixKeys === undefined ||
      request.prefixKeys.keys.length === 0);
  return {
    typedName: { type: TYPE, name },
    consumes: [DESCRIPTOR_KEY, METRICS_KEY],
    produces: [PREFIX_MATCH_KEY],
    produce: function producePrecisePrefixMatch(
      request: SchedulingRequest,
      endpoints: readonly EndpointSnapshot[],
      cycle: CycleState,
    ) {
      const prefix = request.prefixKeys;
      if (prefix === undefined || deps.prefixIndex === undefined || prefix.keys.length === 0) {
        if (fallback !== null) return fallback.produce(request, endpoints, cycle);
        // No keys or no index, and no fallback: an empty match, which every consumer reads as "no data".
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
      if (fallback !== null && isApproximated(request)) return fallback.preRequest(request, endpointId);
      const prefix = request.prefixKeys;
      if (!params.speculativeIndexing || prefix === undefined || deps.prefixIndex === undefined) return;
      deps.prefixIndex.insertSpeculative(endpointId, prefix.keys, params.speculativeTtlMs);
    },
    retainEndpoints: function forgetGoneEndpoints(liveIds: ReadonlySet<string>) {
      fallback?.retainEndpoints(liveIds);
    },
  } satisfies Producer;
}
