// Builders for predictor tests.
import type { LatencyFeatures } from "../../src/predictor/index.ts";

/** Features of a moderately loaded engine; override what a test varies. */
export function features(overrides: Partial<LatencyFeatures> = {}): LatencyFeatures {
  return {
    kvUsageRatio: 0.3,
    waitingRequests: 0,
    runningRequests: 4,
    inFlightRequests: 4,
    inFlightPrefillTokens: 1000,
    inFlightDecodeTokens: 800,
    inputTokens: 2000,
    cachedTokens: 500,
    outputTokens: 100,
    role: "both",
    ...overrides,
  };
}
