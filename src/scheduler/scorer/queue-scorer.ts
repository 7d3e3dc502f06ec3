// Prefers endpoints with shorter engine waiting queues: min-max over candidates (llm-d §2.2).
// Reads metrics.waitingRequests; stale or missing metrics score as the worst queue.
import { z } from "zod";
import { METRICS_KEY } from "../data-keys.ts";
import type { PluginDeps, Scorer } from "../types.ts";
import { scoreMinMaxLoad } from "./min-max-load.ts";

export const TYPE = "queue-scorer";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    category: "distribution",
    consumes: [METRICS_KEY],
    score: function scoreQueue(_request, endpoints, _cycle, out) {
      scoreMinMaxLoad(endpoints, out, waitingOf, deps.now(), deps.metricsStalenessMs);
    },
  } satisfies Scorer;
}

function waitingOf(metrics: { readonly waitingRequests: number }): number {
  return metrics.waitingRequests;
}
