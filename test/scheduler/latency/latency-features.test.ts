import { expect, test } from "bun:test";
import { expectedOutputTokens, latencyFeaturesOf } from "../../../src/scheduler/latency/latency-features.ts";
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
