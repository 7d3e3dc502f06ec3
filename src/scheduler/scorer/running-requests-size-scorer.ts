// Prefers endpoints running fewer requests: min-max over candidates (llm-d §2.2).
// Reads metrics.runningRequests; stale or missing metrics score as the busiest.
import { z } from "zod";
import { METRICS_KEY } from "../data-keys.ts";
import type { PluginDeps, Scorer } from "../types.ts";
import { scoreMinMaxLoad } from "./min-max-load.ts";

export const TYPE = "running-requests-size-scorer";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    category: "distribution",
    consumes: [METRICS_KEY],
    score: function scoreRunning(_request, endpoints, _cycle, out) {
      scoreMinMaxLoad(endpoints, out, runningOf, deps.now(), deps.metricsStalenessMs);
    },
  } satisfies Scorer;
}

function runningOf(metrics: { readonly runningRequests: number }): number {
  return metrics.runningRequests;
}
