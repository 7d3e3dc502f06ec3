// The live-stats recorder: per-second buckets in a fixed ring, status classes, tokens, per-endpoint
// totals and percentiles from small fixed-bin histograms.
import { describe, expect, test } from "bun:test";
import { type FinishedRequest, GatewayStats } from "../../src/gateway/stats.ts";

const T0 = 1_700_000_000_000; // a whole second, so bucket edges are easy to reason about

function finished(overrides: Partial<FinishedRequest> = {}): FinishedRequest {
  return {
    endedAtMs: T0,
    status: 200,
    isClientAbort: false,
    isError: false,
    endpointId: "e0",
    e2eMs: 100,
    promptTokens: 10,
    completionTokens: 5,
    cachedTokens: 4,
    ...overrides,
  };
}

describe("GatewayStats summary", () => {
  test("counts requests by status class, errors and tokens over the window", () => {
    const stats = new GatewayStats();
    stats.recordFinish(finished());
    stats.recordFinish(finished({ status: 404, promptTokens: 0, completionTokens: 0, cachedTokens: 0 }));
    stats.recordFinish(finished({ status: 503, isError: true }));
    stats.recordFinish(finished({ status: 200, isError: true }));
    stats.recordFinish(finished({ status: 499, isClientAbort: true }));
    const summary = stats.summary(T0 + 1000, 60);
    expect(summary.byStatus).toEqual({ "2xx": 2, "4xx": 1, "5xx": 1, aborted: 1, other: 0 });
    expect(summary.requests).toBe(5);
    expect(summary.requestsPerS).toBeCloseTo(5 / 60, 10);
    expect(summary.errors).toBe(2);
    expect(summary.tokens).toEqual({ prompt: 40, completion: 20, cached: 16 });
  });

  test("leaves out the second still filling", () => {
    const stats = new GatewayStats();
    stats.recordFinish(finished({ endedAtMs: T0 + 500 }));
    expect(stats.summary(T0 + 900, 60).requests).toBe(0);
    expect(stats.summary(T0 + 1000, 60).requests).toBe(1);
  });

  test("a single sample is its own p50, p90 and p99 within one bin, never above the max", () => {
    const stats = new GatewayStats();
    stats.recordLatency("ttft", T0, 10);
    const ttft = stats.summary(T0 + 1000, 60).latencyMs.ttft;
    // 10 ms falls in the bin (8.88, 11.10] ms (0.25 ms × 1.25^16..17); p50 is that bin's geometric middle.
    expect(ttft?.p50).toBeCloseTo(Math.sqrt(0.25 * 1.25 ** 16 * 0.25 * 1.25 ** 17), 6);
    expect(ttft?.p99).toBe(10);
    expect(stats.summary(T0 + 1000, 60).latencyMs.itl).toBeNull();
  });

  test("percentiles of 100 samples land within one bin (25%) of the exact values", () => {
    const stats = new GatewayStats();
    for (let ms = 1; ms <= 100; ms++) stats.recordLatency("itl", T0 + ms, ms);
    const itl = stats.summary(T0 + 1000, 60).latencyMs.itl;
    expect(itl?.p50).toBeGreaterThan(50 / 1.25);
    expect(itl?.p50).toBeLessThan(50 * 1.25);
    expect(itl?.p90).toBeGreaterThan(90 / 1.25);
    expect(itl?.p90).toBeLessThan(90 * 1.25);
    expect(itl?.p99).toBeGreaterThan(99 / 1.25);
    expect(itl?.p99).toBeLessThanOrEqual(100);
  });

  test("latency past the last bin's bound stays between that bound (~104 s) and the largest sample", () => {
    const stats = new GatewayStats();
    stats.recordLatency("e2e", T0, 500_000);
    const e2e = stats.summary(T0 + 1000, 60).latencyMs.e2e;
    expect(e2e?.p50).toBeGreaterThan(0.25 * 1.25 ** 58);
    expect(e2e?.p99).toBeLessThanOrEqual(500_000);
  });
});

describe("GatewayStats series", () => {
  test("merges step seconds per point, oldest first, ending before the current second", () => {
    const stats = new GatewayStats();
    stats.recordFinish(finished({ endedAtMs: T0 - 4000 })); // point 0 covers T0-4s..T0-3s
    stats.recordFinish(finished({ endedAtMs: T0 - 3500 }));
    stats.recordFinish(finished({ endedAtMs: T0 - 1000, status: 500, isError: true })); // point 1
    stats.recordFinish(finished({ endedAtMs: T0 + 10 })); // the current second: not shown
    const series = stats.series(T0 + 200, 4, 2);
    expect(series.points).toBe(2);
    expect(series.stepS).toBe(2);
    expect(series.startMs).toBe(T0 - 4000);
    expect(series.requests["2xx"]).toEqual([2, 0]);
    expect(series.requests["5xx"]).toEqual([0, 1]);
    expect(series.errors).toEqual([0, 1]);
    expect(series.tokens.prompt).toEqual([20, 10]);
    expect(series.latencyMs.e2e.p50[0]).not.toBeNull();
    expect(series.latencyMs.ttft.p50).toEqual([null, null]);
  });

  test("forgets seconds older than its capacity when the ring wraps", () => {
    const stats = new GatewayStats({ capacityS: 10 });
    stats.recordFinish(finished({ endedAtMs: T0 }));
    stats.recordFinish(finished({ endedAtMs: T0 + 10_000 })); // same slot, ten seconds later
    expect(stats.summary(T0 + 11_000, 10).requests).toBe(1);
    expect(stats.series(T0 + 11_000, 10, 1).requests["2xx"]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  test("drops a sample older than what its slot now holds", () => {
    const stats = new GatewayStats({ capacityS: 10 });
    stats.recordFinish(finished({ endedAtMs: T0 + 10_000 }));
    stats.recordFinish(finished({ endedAtMs: T0 })); // ten seconds late: its slot moved on
    expect(stats.summary(T0 + 11_000, 10).requests).toBe(1);
  });

  test("asks for no more than the kept history", () => {
    const stats = new GatewayStats({ capacityS: 10 });
    expect(stats.series(T0, 900, 5).points).toBe(2);
    expect(stats.summary(T0, 900).windowS).toBe(10);
  });
});

describe("GatewayStats endpoint totals", () => {
  test("sums requests, errors and prompt tokens per endpoint since start", () => {
    const stats = new GatewayStats({ capacityS: 10 });
    stats.recordFinish(finished({ endpointId: "e0", promptTokens: 100, cachedTokens: 60 }));
    stats.recordFinish(finished({ endpointId: "e0", promptTokens: 100, cachedTokens: 20, isError: true }));
    stats.recordFinish(finished({ endpointId: "e1", endedAtMs: T0 - 60_000 }));
    stats.recordFinish(finished({ endpointId: null, status: 503, isError: true }));
    expect(Object.fromEntries(stats.endpointTotals())).toEqual({
      e0: { requests: 2, errors: 1, promptTokens: 200, cachedTokens: 80 },
      e1: { requests: 1, errors: 0, promptTokens: 10, cachedTokens: 4 },
    });
  });
});
