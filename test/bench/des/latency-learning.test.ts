import { describe, expect, test } from "bun:test";
import { LatencyLearning } from "../../../src/bench/des/latency-learning.ts";
import type { DesLatencyPredictor } from "../../../src/bench/index.ts";
import { latencyFeaturesOf } from "../../../src/scheduler/index.ts";
import { endpoint, request } from "../../scheduler/builders.ts";

type Sample = Parameters<DesLatencyPredictor["observe"]>[0];

/** Predicts TTFT 100 ms (p90 150) and TPOT 10 ms (p90 12) once `isReady`; records what it observes. */
function fakePredictor(isReady: boolean) {
  const observed: Sample[] = [];
  const predictor: DesLatencyPredictor = {
    predict: () => (isReady ? { ttftMs: 100, ttftP90Ms: 150, tpotMs: 10, tpotP90Ms: 12 } : null),
    observe: (sample) => observed.push(sample),
    accuracy: () => null,
  };
  return { predictor, observed };
}

describe("latency learning in the simulation", () => {
  test("a finished request is observed with its pick's features and latencies from the pick", () => {
    const { predictor, observed } = fakePredictor(false);
    const learning = new LatencyLearning(predictor);
    const r = request({ promptTokenEstimate: 900, body: { max_tokens: 20 } });
    const atPick = endpoint("e", { metrics: { waitingRequests: 3 }, inFlight: { requests: 2 } });
    learning.finished(learning.pick(r, atPick, 256), 0, 80, 9);
    expect(observed).toEqual([{ features: latencyFeaturesOf(r, atPick, 256), ttftMs: 80, tpotMs: 9 }]);
    expect(learning.summary().prospective.ttft.requests).toBe(0);
  });

  test("a never-scraped endpoint gives no prediction and no sample", () => {
    const { predictor, observed } = fakePredictor(true);
    const learning = new LatencyLearning(predictor);
    const pick = learning.pick(request(), endpoint("e", { metrics: null }), 0);
    expect(pick.ttft).toBeNull();
    learning.finished(pick, 0, 80, 9);
    expect(observed).toEqual([]);
  });

  test("prospective accuracy compares each pick's prediction with what the request took", () => {
    const { predictor } = fakePredictor(true);
    const learning = new LatencyLearning(predictor);
    // TTFT 100 predicted: 80 → |20|/80 = 0.25 (covered by 150); 200 → 0.5 (not covered).
    learning.finished(learning.pick(request(), endpoint("a"), 0), 0, 80, 10);
    learning.finished(learning.pick(request(), endpoint("b"), 0), 1, 200, 20);
    const summary = learning.summary();
    const { ttft, tpot } = summary.prospective;
    expect(ttft.requests).toBe(2);
    expect(ttft.mape).toBeCloseTo(0.375, 10);
    // (100 − 80) / 80 = 0.25 and (100 − 200) / 200 = −0.5.
    expect(ttft.bias).toBeCloseTo(-0.125, 10);
    expect(ttft.coverage).toBe(0.5);
    // TPOT 10 predicted: 10 → 0; 20 → 0.5 and over the p90 bound of 12.
    expect(tpot.mape).toBeCloseTo(0.25, 10);
    expect(tpot.coverage).toBe(0.5);
    expect(summary.ttftByStage[0]?.mape).toBeCloseTo(0.25, 10);
    expect(summary.ttftByStage[1]?.mape).toBeCloseTo(0.5, 10);
  });
});
