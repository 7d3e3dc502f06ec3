// Keeps cache-warm endpoints (prefix match ≥ affinityThreshold) unless the best warm one's estimated TTFT
// exceeds the best cold one's by more than maxTTFTPenaltyMs, so affinity yields before it hurts
// (llm-d-reference §2.1). Reads the prefix match and in-flight prefill tokens.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { IN_FLIGHT_KEY, PREFIX_MATCH_KEY, type PrefixMatchInfo } from "../data-keys.ts";
import { freshMetrics } from "../metrics-freshness.ts";
import { cachedTokensOf } from "../prefix/cached-tokens.ts";
import type { Filter, PluginDeps, SchedulingRequest } from "../types.ts";

export const TYPE = "prefix-cache-affinity-filter";

export const Params = z.strictObject({
  affinityThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.8)
    .describe("prefix match ratio (matched/total blocks) from which an endpoint counts as warm"),
  // llm-d's router default is 18000 ms: 287k tokens of queued prefill before a hot prefix spills, tuned
  // for throughput runs. llmux targets interactive traffic on one host, where a TTFT p90 of about 2 s is
  // the usual budget: a warm engine may cost at most that much extra wait (≈32k queued tokens at the
  // default throughput) before its group spills to a cold engine.
  maxTTFTPenaltyMs: z
    .number()
    .min(0)
    .default(2000)
    .describe("extra estimated TTFT a warm endpoint may cost over the best cold one; 0 = always stick"),
  peakPrefillThroughput: z
    .number()
    .positive()
    .default(15928)
    .describe("prefill tokens/s of one engine, for TTFT = queued prefill tokens / throughput"),
  // llm-d estimates only from queued prefill tokens, so a burst of mostly-cached requests never
  // releases affinity while the engine's own queue fills up (the classic hot-spot). A request waiting
  // in the engine's queue delays a newcomer by at least one slot turnover; 250 ms is about a
  // 60-token answer at 4 ms per token.
  queuedRequestPenaltyMs: z
    .number()
    .min(0)
    .default(250)
    .describe(
      "estimated extra TTFT per request waiting in the engine's own queue (fresh scraped metrics); 0 = llm-d's estimate",
    ),
  explorationProbability: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe("probability of skipping the filter for a decision"),
  ttftSource: z
    .enum(["prefillThroughput"])
    .default("prefillThroughput")
    .describe("how TTFT is estimated (llm-d's latencyPredictor source is not available)"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, deps: PluginDeps) {
  const msPerToken = 1000 / params.peakPrefillThroughput;

  function isWarm(info: PrefixMatchInfo, endpoint: EndpointSnapshot): boolean {
    return info.matchedBlocks(endpoint.descriptor.id) / info.totalBlocks >= params.affinityThreshold;
  }

  function ttftMs(request: SchedulingRequest, info: PrefixMatchInfo, endpoint: EndpointSnapshot): number {
    const prompt = request.promptTokenEstimate;
    const uncached = prompt - cachedTokensOf(info, endpoint.descriptor.id, prompt);
    const metrics = freshMetrics(endpoint, deps.now(), deps.metricsStalenessMs);
    const queuedMs = (metrics?.waitingRequests ?? 0) * params.queuedRequestPenaltyMs;
    return (endpoint.inFlight.prefillTokens + uncached) * msPerToken + queuedMs;
  }

  return {
    typedName: { type: TYPE, name },
    consumes: [PREFIX_MATCH_KEY, IN_FLIGHT_KEY],
    filter: function filterByPrefixAffinity(request, endpoints, cycle) {
      const info = cycle.get(PREFIX_MATCH_KEY);
      if (info === undefined || info.totalBlocks === 0) return endpoints;
      if (params.explorationProbability > 0 && deps.rng() < params.explorationProbability) return endpoints;
      let warmCount = 0;
      let bestWarmMs = Number.POSITIVE_INFINITY;
      let bestColdMs = Number.POSITIVE_INFINITY;
      for (const endpoint of endpoints) {
        const estimateMs = ttftMs(request, info, endpoint);
        if (isWarm(info, endpoint)) {
          warmCount++;
          if (estimateMs < bestWarmMs) bestWarmMs = estimateMs;
        } else if (estimateMs < bestColdMs) bestColdMs = estimateMs;
      }
      // No warm endpoint, or no cold alternative: nothing to choose between.
      if (warmCount === 0 || warmCount === endpoints.length) return endpoints;
      // Saturation release: the warm endpoints would cost more than the bound, so every endpoint competes.
      if (params.maxTTFTPenaltyMs > 0 && bestWarmMs - bestColdMs > params.maxTTFTPenaltyMs) return endpoints;
      return endpoints.filter((endpoint) => isWarm(info, endpoint));
    },
  } satisfies Filter;
}
