import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/flow/admitter/latency-slo-admitter.ts";
import type { LatencyEstimator } from "../../../src/flow/index.ts";
import { endpoint, request } from "../builders.ts";

const busy = { inFlight: { requests: 3 }, metrics: { kvUsageRatio: 0.5 } };

describe("latency-slo-admitter", () => {
  const estimate: LatencyEstimator = (_r, e) =>
    e.descriptor.id === "fast" ? { ttftMs: 90, tpotMs: 20 } : { ttftMs: 400, tpotMs: 60 };
  const admitter = create("a", Params.parse({}), { now: () => 0, estimateLatency: estimate });
  const slo = { ttftMs: 100, tpotMs: 30 };

  test("non-sheddable requests and requests without an SLO always enter", () => {
    const pool = [endpoint("slow", 0, busy)];
    expect(admitter.admit(request({ priority: 0, slo }), pool)).toBe(true);
    expect(admitter.admit(request({ priority: -1 }), pool)).toBe(true);
  });

  test("a sheddable request enters only if some endpoint is predicted within both SLOs", () => {
    expect(admitter.admit(request({ priority: -1, slo }), [endpoint("slow", 0, busy)])).toBe(false);
    expect(
      admitter.admit(request({ priority: -1, slo }), [endpoint("slow", 0, busy), endpoint("fast", 0, busy)]),
    ).toBe(true);
    expect(
      admitter.admit(request({ priority: -1, slo: { ttftMs: 100, tpotMs: 10 } }), [
        endpoint("fast", 0, busy),
      ]),
    ).toBe(false);
  });

  test("an idle or cold endpoint admits without a prediction", () => {
    const blind = create("a", Params.parse({}), { now: () => 0, estimateLatency: () => null });
    expect(
      blind.admit(request({ priority: -1, slo }), [endpoint("idle", 0, { metrics: { kvUsageRatio: 0.5 } })]),
    ).toBe(true);
    expect(
      blind.admit(request({ priority: -1, slo }), [endpoint("cold", 0, { inFlight: { requests: 2 } })]),
    ).toBe(true);
    expect(blind.admit(request({ priority: -1, slo }), [endpoint("busy", 0, busy)])).toBe(false);
  });
});
