import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { PREFIX_MATCH_KEY } from "../../../src/scheduler/data-keys.ts";
import { createScheduler, createSeededRng } from "../../../src/scheduler/index.ts";
import {
  type EndpointLatency,
  LATENCY_PREDICTION_KEY,
} from "../../../src/scheduler/latency/prediction-key.ts";
import { create, Params } from "../../../src/scheduler/scorer/latency-scorer.ts";
import type { CycleState } from "../../../src/scheduler/types.ts";
import { endpoint, NOW_MS, pluginDeps, request, schedulerConfig, scores } from "../builders.ts";

function latency(
  ttftHeadroomMs: number,
  tpotHeadroomMs: number,
  dispatched = 1,
  isValid = true,
): EndpointLatency {
  return { isValid, ttftMs: 100, tpotMs: 10, ttftHeadroomMs, tpotHeadroomMs, dispatched };
}

function cycleOf(byId: Record<string, EndpointLatency>): CycleState {
  const cycle = new MapCycleState();
  cycle.set(LATENCY_PREDICTION_KEY, { sloTtftMs: 200, sloTpotMs: 20, of: (id) => byId[id] });
  return cycle;
}

const pool = ["a", "b", "c", "d"].map((id) => endpoint(id));

describe("latency-scorer", () => {
  const scorer = create("l", Params.parse({}), pluginDeps());

  test("endpoints meeting both SLOs win; among them the least headroom (packing) scores highest", () => {
    // TTFT headroom 10, 50, 90 among a, b, c: normalised 0, 0.5, 1; TPOT headroom equal → TTFT weight only.
    const cycle = cycleOf({ a: latency(10, 5), b: latency(50, 5), c: latency(90, 5), d: latency(-5, 5) });
    expect(scores(scorer, pool, request(), cycle)).toEqual([1, 0.5, 0.01, 0]);
  });

  test("most: the largest headroom wins", () => {
    const most = create("l", Params.parse({ headroomSelectionStrategy: "most" }), pluginDeps());
    const cycle = cycleOf({ a: latency(10, 5), b: latency(50, 5), c: latency(90, 5), d: latency(-5, 5) });
    expect(scores(most, pool, request(), cycle)).toEqual([0.01, 0.5, 1, 0]);
  });

  test("TTFT and TPOT headroom combine 0.8 : 0.2", () => {
    // a: nTTFT 0, nTPOT 1 → 0.2; b: nTTFT 1, nTPOT 0 → 0.8.
    const cycle = cycleOf({ a: latency(10, 30), b: latency(60, 10) });
    expect(scores(scorer, pool.slice(0, 2), request(), cycle)).toEqual([0.8, 0.2]);
  });

  test("when none meets its SLO, idle endpoints are preferred", () => {
    const cycle = cycleOf({
      a: latency(-10, -1, 3),
      b: latency(-90, -1, 0),
      c: latency(-50, -1, 0),
      d: latency(-5, 1, 2),
    });
    expect(scores(scorer, pool, request(), cycle)).toEqual([0, 0.01, 1, 0]);
  });

  test("otherwise the best deficit tier: only TPOT missed, then only TTFT missed, then both", () => {
    const tiers = cycleOf({ a: latency(-10, -1), b: latency(5, -3), c: latency(-1, 2), d: latency(7, -1) });
    // Only-TPOT-missed are b and d: |TTFT headroom| 5 and 7, |TPOT| 3 and 1 → b: 0.8·0 + 0.2·1, d: 0.8·1 + 0.2·0.
    expect(scores(scorer, pool, request(), tiers)).toEqual([0, 0.8, 0, 0.2]);
    const both = cycleOf({ a: latency(-10, -1), b: latency(-20, -1) });
    expect(scores(scorer, pool.slice(0, 2), request(), both)).toEqual([1, 0.01]);
  });

  test("invalid predictions score 0 beside valid ones", () => {
    const cycle = cycleOf({ a: latency(10, 5), b: latency(10, 5, 1, false) });
    expect(scores(scorer, pool.slice(0, 2), request(), cycle)).toEqual([1, 0]);
  });

  test("without predictions: the composite of free KV, relative queue and prefix ratio", () => {
    const cycle = new MapCycleState();
    cycle.set(PREFIX_MATCH_KEY, {
      totalBlocks: 10,
      blockSizeTokens: 16,
      matchedBlocks: (id) => (id === "a" ? 10 : 0),
    });
    const fallbackPool = [
      endpoint("a", { metrics: { kvUsageRatio: 0.5, waitingRequests: 4 } }),
      endpoint("b", { metrics: { kvUsageRatio: 0.2, waitingRequests: 0 } }),
      endpoint("c", { metrics: null }),
    ];
    // a: (0.5 + 0 + 1) / 3; b: (0.8 + 1 + 0) / 3; c: (0 + 0 + 0) / 3.
    const result = scores(scorer, fallbackPool, request(), cycle);
    expect(result[0]).toBeCloseTo(0.5, 10);
    expect(result[1]).toBeCloseTo(0.6, 10);
    expect(result[2]).toBe(0);
  });
});

describe("latency-scorer in a scheduler", () => {
  test("configured alone, the predicted-latency producer is added for it and the fallback routes", () => {
    const created = createScheduler(
      schedulerConfig({
        plugins: [{ type: "latency-scorer" }],
        schedulingProfiles: [{ name: "default", plugins: [{ pluginRef: "latency-scorer" }] }],
      }),
      { rng: createSeededRng(1), now: () => NOW_MS },
    );
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const result = created.scheduler.schedule(request(), [
      endpoint("busy", { metrics: { kvUsageRatio: 0.9, waitingRequests: 8 } }),
      endpoint("free", { metrics: { kvUsageRatio: 0.1 } }),
    ]);
    expect(result.ok && result.endpoint.descriptor.id).toBe("free");
  });
});

test("random predictions: every score in [0,1], and some valid endpoint always scores above 0", () => {
  const seed = 31;
  const rng = createSeededRng(seed);
  const scorer = create("l", Params.parse({}), pluginDeps());
  for (let c = 0; c < 500; c++) {
    const size = 1 + Math.floor(rng() * 8);
    const byId: Record<string, EndpointLatency> = {};
    const randomPool = Array.from({ length: size }, (_, i) => {
      byId[`e${i}`] = latency(rng() * 200 - 100, rng() * 20 - 10, Math.floor(rng() * 3), rng() > 0.2);
      return endpoint(`e${i}`);
    });
    const result = scores(scorer, randomPool, request(), cycleOf(byId));
    expect(
      result.every((s) => s >= 0 && s <= 1),
      `seed ${seed} case ${c}`,
    ).toBe(true);
    if (Object.values(byId).some((l) => l.isValid))
      expect(Math.max(...result), `seed ${seed} case ${c}`).toBeGreaterThan(0);
  }
});
