import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/flow/saturation/utilization-detector.ts";
import { endpoint } from "../builders.ts";

const NOW = 10_000;
const ledger = { requests: 0, tokens: 0 };

describe("utilization-detector", () => {
  const detector = create("u", Params.parse({}), { now: () => NOW });

  test("scores each endpoint max(queue/5, kv/0.8) and the pool by the mean", () => {
    // e0: max(2/5, 0.4/0.8) = 0.5; e1: max(10/5, 0) = 2 → mean 1.25.
    const pool = [
      endpoint("e0", NOW, { metrics: { waitingRequests: 2, kvUsageRatio: 0.4 } }),
      endpoint("e1", NOW, { metrics: { waitingRequests: 10 } }),
    ];
    expect(detector.saturation(pool, ledger, NOW)).toBeCloseTo(1.25, 10);
  });

  test("stale (> 200 ms), missing, unhealthy or open-circuit endpoints count as 1; no endpoint is saturated", () => {
    expect(detector.saturation([endpoint("e", NOW - 200)], ledger, NOW)).toBe(0);
    expect(detector.saturation([endpoint("e", NOW - 201)], ledger, NOW)).toBe(1);
    expect(detector.saturation([endpoint("e", NOW, { metrics: null })], ledger, NOW)).toBe(1);
    expect(detector.saturation([endpoint("e", NOW, { isHealthy: false })], ledger, NOW)).toBe(1);
    expect(detector.saturation([endpoint("e", NOW, { circuit: "open" })], ledger, NOW)).toBe(1);
    expect(detector.saturation([], ledger, NOW)).toBe(1);
  });

  test("headroom lets the pool run that fraction past its thresholds", () => {
    const roomy = create("u", Params.parse({ headroom: 0.25 }), { now: () => NOW });
    const pool = [endpoint("e0", NOW, { metrics: { waitingRequests: 6 } })];
    expect(roomy.saturation(pool, ledger, NOW)).toBeCloseTo(0.96, 10);
  });

  test("defaults are llm-d's: queue 5, KV 0.8, staleness 200 ms, headroom 0", () => {
    expect(Params.parse({})).toEqual({
      queueDepthThreshold: 5,
      kvCacheUtilThreshold: 0.8,
      metricsStalenessMs: 200,
      headroom: 0,
    });
  });
});
