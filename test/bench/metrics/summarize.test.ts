import { describe, expect, test } from "bun:test";
import {
  LatencyHistogram,
  latencyStats,
  percentile,
  type RequestRecord,
  summarizeStages,
  tpotOf,
} from "../../../src/bench/index.ts";

function record(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    index: 0,
    stage: 0,
    tags: {},
    arrivalMs: 0,
    sentMs: 0,
    firstTokenMs: 100,
    endMs: 1100,
    promptTokens: 1000,
    completionTokens: 11,
    cachedTokens: 0,
    itlSumMs: 1000,
    itlCount: 10,
    endpoint: "a",
    error: null,
    ...overrides,
  };
}

describe("benchmark statistics", () => {
  test("nearest-rank percentiles (hand-computed)", () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0.5)).toBe(5);
    expect(percentile(sorted, 0.9)).toBe(9);
    expect(percentile(sorted, 0.99)).toBe(10);
    expect(percentile([], 0.5)).toBe(0);
    expect(latencyStats([4, 1, 3, 2])).toEqual({ mean: 2.5, p50: 2, p90: 4, p99: 4 });
  });

  test("TPOT is decode time per token after the first", () => {
    expect(tpotOf(record({}))).toBe(100);
    expect(tpotOf(record({ completionTokens: 1 }))).toBe(0);
  });

  test("a stage: throughput over its span, goodput under the SLO, cache hit rate, failures apart", () => {
    const records = [
      record({ index: 0, arrivalMs: 0, firstTokenMs: 500, endMs: 1500, cachedTokens: 500 }),
      record({ index: 1, arrivalMs: 1000, firstTokenMs: 4000, endMs: 5000, endpoint: "b" }),
      record({ index: 2, arrivalMs: 2000, firstTokenMs: 2100, endMs: 3100, cachedTokens: 1000 }),
      record({
        index: 3,
        arrivalMs: 3000,
        firstTokenMs: null,
        endMs: 3001,
        completionTokens: 0,
        error: "HTTP 500",
      }),
    ];
    const [s] = summarizeStages([{ index: 0, qps: 1, durationMs: 4000, isWarmup: false }], records, {
      slo: { ttftMs: 2000, tpotMs: 100 },
      stageStartMs: new Map([[0, 0]]),
    });
    expect(s!.completed).toBe(3);
    expect(s!.failed).toBe(1);
    expect(s!.ttftMs.p50).toBe(500);
    expect(s!.ttftMs.p90).toBe(3000);
    // 33 tokens over the 5 s from the stage start to the last completion.
    expect(s!.outputTokensPerS).toBeCloseTo(6.6, 6);
    expect(s!.goodFraction).toBe(0.5);
    expect(s!.cacheHitRate).toBe(0.5);
    expect(s!.perEndpoint).toEqual({ a: 3, b: 1 });
  });

  test("a request with its own SLO is judged by it; others by the run's", () => {
    // TTFT 500 ms and TPOT 100 ms each; the run's SLO (2 s, 100 ms) holds for all.
    const records = [
      record({ index: 0, arrivalMs: 0, firstTokenMs: 500, endMs: 1500 }),
      record({ index: 1, arrivalMs: 0, firstTokenMs: 500, endMs: 1500, tags: { sloTtftMs: 400 } }),
      record({ index: 2, arrivalMs: 0, firstTokenMs: 500, endMs: 1500, tags: { sloTpotMs: 50 } }),
      record({
        index: 3,
        arrivalMs: 0,
        firstTokenMs: 500,
        endMs: 1500,
        tags: { sloTtftMs: 600, sloTpotMs: 120 },
      }),
    ];
    const [s] = summarizeStages([{ index: 0, qps: 1, durationMs: 4000, isWarmup: false }], records, {
      slo: { ttftMs: 2000, tpotMs: 100 },
      stageStartMs: new Map([[0, 0]]),
    });
    expect(s!.goodFraction).toBe(0.5);
  });

  test("the ITL histogram's quantiles are within 1 % of the exact ones", () => {
    const histogram = new LatencyHistogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 5 + (i % 1000) * 0.1);
    for (const v of values) histogram.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99])
      expect(Math.abs(histogram.quantile(q) / percentile(sorted, q) - 1)).toBeLessThan(0.01);
    expect(histogram.mean()).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });
});
