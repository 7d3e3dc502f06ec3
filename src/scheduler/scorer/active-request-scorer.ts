// Prefers endpoints with fewer requests in flight from this gateway: idle (≤ idleThreshold) → 1, else
// (maxC − c)/maxC · maxBusyScore over candidates (llm-d §2.2). Reads inFlight.requests (never stale).
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { IN_FLIGHT_KEY } from "../data-keys.ts";
import type { PluginDeps, Scorer } from "../types.ts";

export const TYPE = "active-request-scorer";

export const Params = z.strictObject({
  idleThreshold: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("in-flight requests at or below which an endpoint scores 1"),
  maxBusyScore: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe("score ceiling for endpoints above the idle threshold"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    category: "distribution",
    consumes: [IN_FLIGHT_KEY],
    score: function scoreActiveRequests(_request, endpoints, _cycle, out) {
      let maxCount = 0;
      for (const endpoint of endpoints)
        if (endpoint.inFlight.requests > maxCount) maxCount = endpoint.inFlight.requests;
      for (let i = 0; i < endpoints.length; i++) {
        const count = (endpoints[i] as EndpointSnapshot).inFlight.requests;
        out[i] = count <= params.idleThreshold ? 1 : ((maxCount - count) / maxCount) * params.maxBusyScore;
      }
    },
  } satisfies Scorer;
}
