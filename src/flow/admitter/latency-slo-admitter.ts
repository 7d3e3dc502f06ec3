// llm-d's latency-slo-admitter (§2.8): non-sheddable requests and requests without an SLO always enter;
// a sheddable one enters when some endpoint is idle (no in-flight request), cold (KV usage under
// coldKvThreshold) or predicted to meet its SLOs. Reads in-flight load, KV usage and latency predictions.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import type { AdmissionRequest, Admitter, FlowPolicyDeps } from "../types.ts";

export const TYPE = "latency-slo-admitter";

export const Params = z.strictObject({
  sloBufferFactor: z.number().gt(0).max(10).default(1).describe("SLO multiplier predictions must stay under"),
  coldKvThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.02)
    .describe("KV usage under which an endpoint is cold"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, deps: FlowPolicyDeps) {
  const estimate = deps.estimateLatency;
  function canServe(request: AdmissionRequest, endpoint: EndpointSnapshot): boolean {
    if (endpoint.inFlight.requests === 0) return true;
    if (endpoint.metrics !== null && endpoint.metrics.kvUsageRatio < params.coldKvThreshold) return true;
    const predicted = estimate?.(request, endpoint) ?? null;
    if (predicted === null) return false;
    const ttftSlo = request.slo?.ttftMs ?? null;
    const tpotSlo = request.slo?.tpotMs ?? null;
    if (ttftSlo !== null && predicted.ttftMs > ttftSlo * params.sloBufferFactor) return false;
    if (tpotSlo !== null && predicted.tpotMs !== null && predicted.tpotMs > tpotSlo * params.sloBufferFactor)
      return false;
    return true;
  }

  return {
    typedName: { type: TYPE, name },
    admit: function admitWithinSlo(request: AdmissionRequest, endpoints: readonly EndpointSnapshot[]) {
      if (request.priority >= 0) return true;
      if ((request.slo?.ttftMs ?? null) === null && (request.slo?.tpotMs ?? null) === null) return true;
      return endpoints.some((endpoint) => endpoint.isHealthy && canServe(request, endpoint));
    },
  } satisfies Admitter;
}
