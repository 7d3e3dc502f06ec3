// The predictor's features for one (request, endpoint) pair, from the endpoint snapshot, the request and
// the prefix estimate: used by predicted-latency-producer at decision time and by the gateway when it
// records the finished request as a training sample (so both describe the request the same way).
import type { EndpointSnapshot } from "../../pool/index.ts";
import type { LatencyFeatures, LatencySample } from "../../predictor/index.ts";
import type { SchedulingRequest } from "../types.ts";

/** Output tokens assumed when a request sets no limit (the gateway's in-flight estimate uses the same). */
export const DEFAULT_OUTPUT_TOKENS = 256;

/** The request's output-token limit (max_completion_tokens, max_tokens or max_output_tokens). */
export function expectedOutputTokens(body: Readonly<Record<string, unknown>>): number {
  for (const field of ["max_completion_tokens", "max_tokens", "max_output_tokens"]) {
    const value = body[field];
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  }
  return DEFAULT_OUTPUT_TOKENS;
}

/** What a request asks of an endpoint, in tokens. */
export interface RequestWork {
  readonly inputTokens: number;
  /** Prompt tokens the endpoint is estimated to hold in its prefix cache. */
  readonly cachedTokens: number;
  readonly outputTokens: number;
}

/** Features of `work` on `endpoint` (for flow's latency estimator and training samples); missing metrics count as 0. */
export function latencyFeaturesFor(endpoint: EndpointSnapshot, work: RequestWork): LatencyFeatures {
  const metrics = endpoint.metrics;
  return {
    kvUsageRatio: metrics?.kvUsageRatio ?? 0,
    waitingRequests: metrics?.waitingRequests ?? 0,
    runningRequests: metrics?.runningRequests ?? 0,
    inFlightRequests: endpoint.inFlight.requests,
    inFlightPrefillTokens: endpoint.inFlight.prefillTokens,
    inFlightDecodeTokens: endpoint.inFlight.decodeTokens,
    inputTokens: work.inputTokens,
    cachedTokens: work.cachedTokens,
    outputTokens: work.outputTokens,
    role: endpoint.descriptor.role,
  };
}

/** Features of `request` on `endpoint` given `cachedTokens` of its prompt held there. */
export function latencyFeaturesOf(
  request: SchedulingRequest,
  endpoint: EndpointSnapshot,
  cachedTokens: number,
): LatencyFeatures {
  return latencyFeaturesFor(endpoint, {
    inputTokens: request.promptTokenEstimate,
    cachedTokens,
    outputTokens: expectedOutputTokens(request.body),
  });
}

/** What a finished request took, measured from the moment its endpoint was picked. */
export interface ObservedLatency {
  /** Time to first token, ms. */
  readonly ttftMs: number;
  /** Mean time per output token after the first, ms; null with fewer than two tokens. */
  readonly tpotMs: number | null;
}

/**
 * The predictor's training sample for a finished request: the features of the decision that sent it
 * (`endpoint` as the scheduler saw it at the pick, `cachedTokens` as it estimated then), so that training
 * and predicted-latency-producer describe a request the same way. The gateway and the benchmark's
 * simulation both build their samples here. Null when the endpoint had never been scraped (its load is
 * unknown, and the producer predicts nothing there) or no positive TTFT was measured.
 */
export function latencySampleOf(
  request: SchedulingRequest,
  endpoint: EndpointSnapshot,
  cachedTokens: number,
  observed: ObservedLatency,
): LatencySample | null {
  if (endpoint.metrics === null || !(observed.ttftMs > 0)) return null;
  return {
    features: latencyFeaturesOf(request, endpoint, cachedTokens),
    ttftMs: observed.ttftMs,
    tpotMs: observed.tpotMs,
  };
}
