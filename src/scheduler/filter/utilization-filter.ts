// Keeps endpoints whose load is within every condition's maxValue: waiting-queue, running-requests,
// kv-cache-utilization (stale or missing metrics fail) and active-requests (gateway in-flight count).
// Reads metrics and in-flight load.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { IN_FLIGHT_KEY, METRICS_KEY } from "../data-keys.ts";
import { freshMetrics } from "../metrics-freshness.ts";
import type { Filter, PluginDeps } from "../types.ts";

export const TYPE = "utilization-filter";

const Condition = z.strictObject({
  metric: z
    .enum(["waiting-queue", "running-requests", "kv-cache-utilization", "active-requests"])
    .describe("the load measure tested"),
  maxValue: z.number().min(0).describe("largest value that passes (kv-cache-utilization is a 0..1 ratio)"),
});

export const Params = z.strictObject({
  conditions: z.array(Condition).min(1).describe("all must hold for an endpoint to pass"),
  fallbackOnEmpty: z
    .boolean()
    .default(true)
    .describe("keep every endpoint when none passes (admission, not routing, decides to shed)"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, deps: PluginDeps) {
  function passes(endpoint: EndpointSnapshot, nowMs: number): boolean {
    const metrics = freshMetrics(endpoint, nowMs, deps.metricsStalenessMs);
    for (const condition of params.conditions) {
      let value: number;
      if (condition.metric === "active-requests") value = endpoint.inFlight.requests;
      else if (metrics === null) return false;
      else if (condition.metric === "waiting-queue") value = metrics.waitingRequests;
      else if (condition.metric === "running-requests") value = metrics.runningRequests;
      else value = metrics.kvUsageRatio;
      if (value > condition.maxValue) return false;
    }
    return true;
  }

  return {
    typedName: { type: TYPE, name },
    consumes: [METRICS_KEY, IN_FLIGHT_KEY],
    filter: function filterByUtilization(_request, endpoints) {
      const nowMs = deps.now();
      const kept = endpoints.filter((endpoint) => passes(endpoint, nowMs));
      if (kept.length === endpoints.length) return endpoints;
      return kept.length === 0 && params.fallbackOnEmpty ? endpoints : kept;
    },
  } satisfies Filter;
}
