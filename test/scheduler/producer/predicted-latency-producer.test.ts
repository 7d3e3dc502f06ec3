import { describe, expect, test } from "bun:test";
import type { LatencyFeatures, LatencyPredictorReader } from "../../../src/predictor/index.ts";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { LATENCY_PREDICTION_KEY } from "../../../src/scheduler/latency/prediction-key.ts";
import { create, Params } from "../../../src/scheduler/producer/predicted-latency-producer.ts";
import { endpoint, pluginDeps, prefixCycle, request } from "../builders.ts";

/** TTFT = 10 ms per thousand uncached tokens + 1 ms per waiting request; TPOT = 5 ms + running / 10. */
const predictor: LatencyPredictorReader = {
  predict(f: LatencyFeatures) {
    const ttftMs = ((f.inputTokens - f.cachedTokens) / 1000) * 10 + f.waitingRequests;
    const tpotMs = f.role === "prefill" ? 0 : 5 + f.runningRequests / 10;
    return { ttftMs, ttftP90Ms: ttftMs * 2, tpotMs, tpotP90Ms: tpotMs * 2 };
  },
};

function produce(params: Record<string, unknown>, headers: Record<string, string>, deps = pluginDeps()) {
  const producer = create("p", Params.parse(params), { ...deps, latencyPredictor: predictor });
  const pool = [
    endpoint("warm", { metrics: { waitingRequests: 4, runningRequests: 20 }, inFlight: { requests: 2 } }),
    endpoint("cold", { metrics: { runningRequests: 0 } }),
    endpoint("unscraped", { metrics: null }),
    endpoint("prefill", { role: "prefill" }),
  ];
  const cycle = prefixCycle(100, { warm: 50 }, 16);
  producer.produce(request({ promptTokenEstimate: 1600, headers }), pool, cycle);
  const info = cycle.get(LATENCY_PREDICTION_KEY);
  if (info === undefined) throw new Error("nothing produced");
  return info;
}

describe("predicted-latency-producer", () => {
  test("predicts per endpoint with the prefix estimate, and headroom against the SLO headers", () => {
    const info = produce({}, { "x-llmux-slo-ttft-ms": "15", "x-llm-d-slo-tpot-ms": "6" });
    expect([info.sloTtftMs, info.sloTpotMs]).toEqual([15, 6]);
    // warm: 800 of 1600 tokens cached → 8 ms + 4 waiting = 12 ms; TPOT 5 + 2 = 7 ms.
    expect(info.of("warm")).toEqual({
      isValid: true,
      ttftMs: 12,
      tpotMs: 7,
      ttftHeadroomMs: 3,
      tpotHeadroomMs: -1,
      dispatched: 2,
    });
    expect(info.of("cold")).toMatchObject({
      ttftMs: 16,
      ttftHeadroomMs: -1,
      tpotHeadroomMs: 1,
      dispatched: 0,
    });
  });

  test("without SLO headers headroom is minus the prediction (llm-d)", () => {
    expect(produce({}, {}).of("cold")).toMatchObject({ ttftHeadroomMs: -16, tpotHeadroomMs: -5 });
  });

  test("a never-scraped endpoint, or no predictor at all, gives invalid predictions", () => {
    expect(produce({}, {}).of("unscraped")?.isValid).toBe(false);
    const blind = create("p", Params.parse({}), pluginDeps());
    const cycle = new MapCycleState();
    blind.produce(request(), [endpoint("a")], cycle);
    expect(cycle.get(LATENCY_PREDICTION_KEY)?.of("a")?.isValid).toBe(false);
  });

  test("a prefill endpoint's TPOT never counts against it", () => {
    expect(produce({}, { "x-llmux-slo-tpot-ms": "1" }).of("prefill")).toMatchObject({
      tpotMs: 0,
      tpotHeadroomMs: 1,
    });
  });

  test("p90 and the buffer factor tighten the headroom", () => {
    const info = produce({ usePercentile: "p90", sloBufferFactor: 0.5 }, { "x-llmux-slo-ttft-ms": "40" });
    // cold: p90 TTFT 32 ms against 40 × 0.5 = 20 ms.
    expect(info.of("cold")).toMatchObject({ ttftMs: 32, ttftHeadroomMs: -12 });
  });
});
