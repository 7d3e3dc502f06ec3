// llm-d's utilization-detector (§4): each endpoint scores max(waiting / queueDepthThreshold,
// kvUsage / kvCacheUtilThreshold); stale, missing, unhealthy or circuit-open endpoints score 1; the pool's
// saturation is the mean, divided by (1 + headroom); no endpoint at all is saturated. Reads metrics.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import type { FlowPolicyDeps, SaturationDetector } from "../types.ts";

export const TYPE = "utilization-detector";

export const Params = z.strictObject({
  queueDepthThreshold: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe("engine waiting requests that count as full"),
  kvCacheUtilThreshold: z.number().gt(0).max(1).default(0.8).describe("KV usage ratio that counts as full"),
  metricsStalenessMs: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe("older metrics count as saturated; keep above scheduler.metricsIntervalMs"),
  headroom: z.number().min(0).default(0).describe("fraction above the thresholds still dispatched"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: FlowPolicyDeps) {
  return {
    typedName: { type: TYPE, name },
    saturation: function poolUtilization(endpoints: readonly EndpointSnapshot[], _ledger, nowMs: number) {
      if (endpoints.length === 0) return 1;
      let sum = 0;
      for (const endpoint of endpoints) sum += endpointScore(endpoint, nowMs, params);
      return sum / endpoints.length / (1 + params.headroom);
    },
  } satisfies SaturationDetector;
}

function endpointScore(endpoint: EndpointSnapshot, nowMs: number, params: Params): number {
  const metrics = endpoint.metrics;
  if (!endpoint.isHealthy || endpoint.circuit === "open") return 1;
  if (metrics === null || nowMs - metrics.scrapedAtMs > params.metricsStalenessMs) return 1;
  return Math.max(
    metrics.waitingRequests / params.queueDepthThreshold,
    metrics.kvUsageRatio / params.kvCacheUtilThreshold,
  );
}
