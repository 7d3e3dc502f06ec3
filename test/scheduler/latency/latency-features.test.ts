import { expect, test } from "bun:test";
import {
  expectedOutputTokens,
  latencyFeaturesOf,
  latencySampleOf,
} from "../../../src/scheduler/latency/latency-features.ts";
import { endpoint, request } from "../builders.ts";

test("builds predictor features from the snapshot, the request and the cached estimate", () => {
  const e = endpoint("e", {
    role: "decode",
    metrics: { waitingRequests: 2, runningRequests: 9, kvUsageRatio: 0.4 },
    inFlight: { requests: 3, prefillTokens: 700, decodeTokens: 900 },
  });
  expect(latencyFeaturesOf(request({ promptTokenEstimate: 1200, body: { max_tokens: 64 } }), e, 512)).toEqual(
    {
      kvUsageRatio: 0.4,
      waitingRequests: 2,
      runningRequests: 9,
      inFlightRequests: 3,
      inFlightPrefillTokens: 700,
      inFlightDecodeTokens: 900,
      inputTokens: 1200,
      cachedTokens: 512,
      outputTokens: 64,
      role: "decode",
    },
  );
});

test("expected output: max_completion_tokens, then max_tokens, then max_output_tokens, else 256", () => {
  expect(expectedOutputTokens({ max_completion_tokens: 10, max_tokens: 20 })).toBe(10);
  expect(expectedOutputTokens({ max_output_tokens: 30 })).toBe(30);
  expect(expectedOutputTokens({ max_tokens: "many" })).toBe(256);
});

test("a finished request's sample carries the decision's features and the measured latencies", () => {
  const e = endpoint("e", { metrics: { waitingRequests: 1, kvUsageRatio: 0.2 } });
  const r = request({ promptTokenEstimate: 800, body: { max_tokens: 32 } });
  expect(latencySampleOf(r, e, 256, { ttftMs: 120, tpotMs: 9 })).toEqual({
    features: latencyFeaturesOf(r, e, 256),
    ttftMs: 120,
    tpotMs: 9,
  });
});

test("no sample from a never-scraped endpoint or without a positive TTFT", () => {
  const r = request();
  expect(latencySampleOf(r, endpoint("e", { metrics: null }), 0, { ttftMs: 50, tpotMs: null })).toBeNull();
  expect(latencySampleOf(r, endpoint("e"), 0, { ttftMs: 0, tpotMs: null })).toBeNull();
});
