import { describe, expect, test } from "bun:test";
import { bucketOf, COL, encodeFeatures, FEATURE_COUNT } from "../../src/predictor/features.ts";
import type { LatencyFeatures } from "../../src/predictor/index.ts";
import { features } from "./builders.ts";

function row(overrides: Partial<LatencyFeatures>): Float64Array {
  const out = new Float64Array(FEATURE_COUNT);
  encodeFeatures(features(overrides), out);
  return out;
}

describe("feature encoding", () => {
  test("derives effective input, prefix ratio and the queued flag", () => {
    const r = row({ waitingRequests: 2 });
    expect(r[COL.effectiveInputTokens]).toBe(1500);
    expect(r[COL.prefixRatio]).toBe(0.25);
    expect(r[COL.isQueued]).toBe(1);
    expect(r[COL.role]).toBe(0);
  });

  test("clamps: cached never exceeds input, KV stays in [0,1], counts are non-negative", () => {
    const r = row({ cachedTokens: 5000, kvUsageRatio: 1.7, inFlightDecodeTokens: -3 });
    expect(r[COL.cachedTokens]).toBe(2000);
    expect(r[COL.effectiveInputTokens]).toBe(0);
    expect(r[COL.kvUsageRatio]).toBe(1);
    expect(r[COL.inFlightDecodeTokens]).toBe(0);
  });

  test.each([
    [0, 0, 0, 0],
    [1, 0, 0, 80],
    [2, 0, 0, 80],
    [3, 0, 0, 160],
    [10, 0, 0, 240],
    [11, 0, 0, 320],
    [0, 0.05, 0, 4],
    [0, 1, 0, 76],
    [0, 0, 0.25, 1],
    [0, 0, 1, 3],
  ])("waiting %p, KV %p, prefix %p fall in bucket %p", (waiting, kv, prefix, expected) => {
    expect(bucketOf(row({ waitingRequests: waiting, kvUsageRatio: kv, cachedTokens: prefix * 2000 }))).toBe(
      expected,
    );
  });
});
