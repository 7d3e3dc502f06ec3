// Predicts TTFT and TPOT of the request on every candidate with the latency predictor (synchronously,
// microseconds each) and their headroom against the request's SLO headers (llm-d §5.2). Reads metrics,
// in-flight load, descriptor role and the prefix match.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY, IN_FLIGHT_KEY, METRICS_KEY, PREFIX_MATCH_KEY } from "../data-keys.ts";
import { latencyFeaturesOf } from "../latency/latency-features.ts";
import {
  type EndpointLatency,
  LATENCY_PREDICTION_KEY,
  type LatencyPluginDeps,
} from "../latency/prediction-key.ts";
import { sloHeadersOf } from "../latency/slo-headers.ts";
import { cachedTokensOf } from "../prefix/cached-tokens.ts";
import type { CycleState, Producer, SchedulingRequest } from "../types.ts";

export const TYPE = "predicted-latency-producer";

export const Params = z.strictObject({
  sloBufferFactor: z
    .number()
    .gt(0)
    .max(10)
    .default(1)
    .describe("headroom = SLO × sloBufferFactor − predicted (below 1 demands a margin)"),
  usePercentile: z
    .enum(["p50", "p90"])
    .default("p50")
    .describe("p50: the point estimate; p90: the calibrated upper bound (fewer SLO misses, less packing)"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, deps: LatencyPluginDeps) {
  const predictor = deps.latencyPredictor;
  return {
    typedName: { type: TYPE, name },
    consumes: [DESCRIPTOR_KEY, METRICS_KEY, IN_FLIGHT_KEY, PREFIX_MATCH_KEY],
    produces: [LATENCY_PREDICTION_KEY],
    produce: function producePredictedLatency(
      request: SchedulingRequest,
      endpoints: readonly EndpointSnapshot[],
      cycle: CycleState,
    ) {
      const slo = sloHeadersOf(request.headers);
      const prefix = cycle.get(PREFIX_MATCH_KEY);
      const byId = new Map<string, EndpointLatency>();
      for (const endpoint of endpoints) {
        const id = endpoint.descriptor.id;
        const cached = cachedTokensOf(prefix, id, request.promptTokenEstimate);
        const predicted =
          predictor === undefined || endpoint.metrics === null
            ? null
            : predictor.predict(latencyFeaturesOf(request, endpoint, cached));
        if (predicted === null) {
          byId.set(id, { ...INVALID, dispatched: endpoint.inFlight.requests });
          continue;
        }
        const isUpper = params.usePercentile === "p90";
        const ttftMs = isUpper ? predicted.ttftP90Ms : predicted.ttftMs;
        const tpotMs = (isUpper ? predicted.tpotP90Ms : predicted.tpotMs) ?? 0;
        byId.set(id, {
          isValid: true,
          ttftMs,
          tpotMs,
          ttftHeadroomMs: headroom(slo.ttftMs, ttftMs, params.sloBufferFactor),
          // No TPOT model yet, or a prefill-only engine: TPOT does not count against it.
          tpotHeadroomMs:
            predicted.tpotMs === null || endpoint.descriptor.role === "prefill"
              ? (slo.tpotMs ?? 0) * params.sloBufferFactor
              : headroom(slo.tpotMs, tpotMs, params.sloBufferFactor),
          dispatched: endpoint.inFlight.requests,
        });
      }
      cycle.set(LATENCY_PREDICTION_KEY, {
        sloTtftMs: slo.ttftMs,
        sloTpotMs: slo.tpotMs,
        of: (endpointId: string) => byId.get(endpointId),
      });
    },
  } satisfies Producer;
}

function headroom(sloMs: number | null, predictedMs: number, buffer: number): number {
  return sloMs === null ? -predictedMs : sloMs * buffer - predictedMs;
}

const INVALID: EndpointLatency = {
  isValid: false,
  ttftMs: 0,
  tpotMs: 0,
  ttftHeadroomMs: 0,
  tpotHeadroomMs: 0,
  dispatched: 0,
};
