// Overload behaviour at the library level, on a fake clock: a virtual server with a fixed number of slots
// serves each admitted request for a service time, then releases its ticket.
import { describe, expect, test } from "bun:test";
import { type AdmissionRequest, type AdmitResult, FLOW_ERRORS } from "../../src/flow/index.ts";
import { createSeededRng } from "../../src/scheduler/index.ts";
import { capacityDetectors, type Harness, harness, request } from "./builders.ts";

interface Outcome {
  readonly request: AdmissionRequest;
  readonly submittedMs: number;
  result: AdmitResult | null;
  results: number;
  dispatchedMs: number | null;
}

/** Submits `r` now; an admitted request holds a slot for `serviceMs`, then releases its ticket. */
function submit(h: Harness, r: AdmissionRequest, serviceMs: number, outcomes: Outcome[]): Outcome {
  const outcome: Outcome = {
    request: r,
    submittedMs: h.clock.nowMs,
    result: null,
    results: 0,
    dispatchedMs: null,
  };
  outcomes.push(outcome);
  void h.admission.admit(r).then((result) => {
    outcome.result = result;
    outcome.results++;
    if (!result.ok) return;
    outcome.dispatchedMs = h.clock.nowMs;
    h.clock.setTimeout(() => result.ticket.release({ promptTokens: 100, completionTokens: 50 }), serviceMs);
  });
  return outcome;
}

describe("overload", () => {
  test("high-priority requests are dispatched before every queued lower-priority one", async () => {
    const h = harness({ saturation_detectors: capacityDetectors(4) });
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 4; i++) submit(h, request({ priority: 0 }), 100, outcomes);
    for (let i = 0; i < 20; i++) {
      submit(h, request({ priority: 0, fairnessId: "batch" }), 100, outcomes);
      submit(h, request({ priority: 10, fairnessId: "interactive" }), 100, outcomes);
    }
    await h.clock.advance(2000);
    const queued = outcomes.slice(4);
    const order = [...queued].sort((a, b) => (a.dispatchedMs ?? 0) - (b.dispatchedMs ?? 0));
    const lastHigh = Math.max(
      ...queued.filter((o) => o.request.priority === 10).map((o) => o.dispatchedMs ?? 0),
    );
    const firstLow = Math.min(
      ...queued.filter((o) => o.request.priority === 0).map((o) => o.dispatchedMs ?? 0),
    );
    expect(order.every((o) => o.result?.ok)).toBe(true);
    expect(lastHigh).toBeLessThanOrEqual(firstLow);
    expect(lastHigh).toBe(h.clock.nowMs - 2000 + 500);
  });

  test("two tenants with 3:1 demand get near-equal service while both are backlogged (round robin)", async () => {
    const served = await runTwoTenants("round-robin-fairness-policy");
    // Capacity is 10 req/s; demand 30 + 10 req/s: both stay backlogged for the whole window.
    expect(served.a + served.b).toBeGreaterThan(90);
    expect(served.a / served.b).toBeGreaterThan(0.9);
    expect(served.a / served.b).toBeLessThan(1.1);
  });

  test("least attained service also equalises two backlogged tenants", async () => {
    const served = await runTwoTenants("least-attained-service-fairness-policy");
    expect(served.a / served.b).toBeGreaterThan(0.85);
    expect(served.a / served.b).toBeLessThan(1.15);
  });

  test("global-strict FCFS serves the 3:1 demand 3:1 (no fairness), as llm-d's default does", async () => {
    const served = await runTwoTenants("global-strict-fairness-policy");
    expect(served.a / served.b).toBeGreaterThan(2.5);
  });

  test("under sustained overload no request waits past its TTL and every request gets one result", async () => {
    const ttlMs = 1500;
    const h = harness({ saturation_detectors: capacityDetectors(2), default_ttl_ms: ttlMs });
    const outcomes: Outcome[] = [];
    for (let t = 0; t < 100; t++) {
      for (let k = 0; k < 4; k++) submit(h, request({ fairnessId: `t${k}` }), 200, outcomes);
      await h.clock.advance(100);
    }
    await h.clock.advance(ttlMs + 1000);
    expect(outcomes.every((o) => o.results === 1)).toBe(true);
    for (const o of outcomes) {
      const result = o.result as AdmitResult;
      expect(result.queuedMs).toBeLessThanOrEqual(ttlMs);
      if (!result.ok) {
        expect(result.rejection.code).toBe("flow_ttl_expired");
        expect(result.queuedMs).toBe(ttlMs);
      }
    }
    expect(outcomes.filter((o) => o.result?.ok).length).toBeGreaterThan(90);
    expect(h.admission.stats().queuedRequests).toBe(0);
  });

  test("random arrivals, priorities, aborts and stale metrics: one documented result per request", async () => {
    const seed = 424242;
    const rng = createSeededRng(seed);
    const h = harness(
      {
        default_ttl_ms: 800,
        max_queued_requests: 40,
        saturation_detectors: [...capacityDetectors(3), { type: "utilization-detector" }],
      },
      {},
    );
    const outcomes: Outcome[] = [];
    let isStale = false;
    for (let step = 0; step < 400; step++) {
      if (rng() < 0.05) isStale = !isStale;
      h.endpoints = [
        {
          ...h.endpoints[0],
          metrics: {
            ...(h.endpoints[0]?.metrics as NonNullable<Harness["endpoints"][0]["metrics"]>),
            scrapedAtMs: isStale ? 0 : h.clock.nowMs,
          },
        } as Harness["endpoints"][0],
      ];
      const arrivals = Math.floor(rng() * 4);
      for (let k = 0; k < arrivals; k++) {
        const controller = new AbortController();
        const priority = [-1, 0, 0, 5][Math.floor(rng() * 4)] as number;
        const r = request({ priority, fairnessId: `f${Math.floor(rng() * 5)}`, signal: controller.signal });
        submit(h, r, 20 + Math.floor(rng() * 200), outcomes);
        if (rng() < 0.1) h.clock.setTimeout(() => controller.abort(), Math.floor(rng() * 300));
      }
      await h.clock.advance(10);
    }
    await h.clock.advance(5000);
    h.admission.close();
    await h.clock.advance(10);
    const codes = new Set(Object.keys(FLOW_ERRORS));
    for (const o of outcomes) {
      expect(o.results, `seed ${seed}`).toBe(1);
      const result = o.result as AdmitResult;
      expect(result.queuedMs, `seed ${seed}`).toBeLessThanOrEqual(800);
      if (!result.ok) expect(codes.has(result.rejection.code), `seed ${seed}`).toBe(true);
    }
    const stats = h.admission.stats();
    const counted = Object.values(stats.outcomes).reduce((a, b) => a + b, 0);
    expect(counted).toBe(outcomes.length);
    // The run exercises every path: immediate and queued admission, shedding, eviction, full, TTL, abort.
    expect(Object.keys(stats.outcomes).length).toBeGreaterThanOrEqual(7);
    expect(stats.queuedRequests).toBe(0);
  });
});

async function runTwoTenants(fairness: string): Promise<{ a: number; b: number }> {
  const h = harness({
    saturation_detectors: capacityDetectors(2),
    fairness_policy: { type: fairness },
    default_ttl_ms: 600_000,
  });
  const outcomes: Outcome[] = [];
  for (let t = 0; t < 100; t++) {
    for (let k = 0; k < 3; k++) submit(h, request({ fairnessId: "a" }), 200, outcomes);
    submit(h, request({ fairnessId: "b" }), 200, outcomes);
    await h.clock.advance(100);
  }
  const windowEndMs = h.clock.nowMs;
  const inWindow = outcomes.filter((o) => o.dispatchedMs !== null && o.dispatchedMs < windowEndMs);
  return {
    a: inWindow.filter((o) => o.request.fairnessId === "a").length,
    b: inWindow.filter((o) => o.request.fairnessId === "b").length,
  };
}
