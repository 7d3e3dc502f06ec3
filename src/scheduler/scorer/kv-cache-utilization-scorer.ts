// Prefers endpoints with free KV cache: 1 − kvUsageRatio (llm-d §2.2). Reads metrics.kvUsageRatio;
// stale or missing metrics count as a full cache (score 0).
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { METRICS_KEY } from "../data-keys.ts";
import { freshMetrics } from "../metrics-freshness.ts";
import type { PluginDeps, Scorer } from "../types.ts";

export const TYPE = "kv-cache-utilization-scorer";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    category: "distribution",
    consumes: [METRICS_KEY],
    score: function scoreKvCache(_request, endpoints, _cycle, out) {
      const nowMs = deps.now();
      for (let i = 0; i < endpoints.length; i++) {
        const metrics = freshMetrics(endpoints[i] as EndpointSnapshot, nowMs, deps.metricsStalenessMs);
        out[i] = metrics === null ? 0 : 1 - metrics.kvUsageRatio;
      }
    },
  } satisfies Scorer;
}
