import { describe, expect, test } from "bun:test";
import type { ComparisonResult, PolicyResult, StageSummary } from "../../../src/bench/index.ts";
import { goodputTable, predictorByStageTable, predictorTable } from "../../../src/bench/report/slo-tables.ts";

function stage(qps: number, requests: number, goodFraction: number): StageSummary {
  const latency = { mean: 1, p50: 1, p90: 1, p99: 1 };
  return {
    stage: qps,
    qps,
    durationMs: 10_000,
    requests,
    completed: requests,
    failed: 0,
    ttftMs: latency,
    tpotMs: latency,
    itlMs: latency,
    e2eMs: latency,
    outputTokensPerS: 1,
    inputTokensPerS: 1,
    requestsPerS: 1,
    goodputRequestsPerS: 1,
    goodFraction,
    promptTokens: 1,
    cachedTokens: 0,
    outputTokens: 1,
    cacheHitRate: 0,
    perEndpoint: {},
  };
}

function result(policy: string, stages: StageSummary[], predictor?: PolicyResult["predictor"]): PolicyResult {
  return {
    policy,
    description: policy,
    stages,
    outputTokensPerSWithinSlo: 0,
    maxQpsWithinSlo: 0,
    requests: 0,
    wallMs: 0,
    virtualMs: 0,
    events: 0,
    engineSteps: 0,
    ...(predictor === undefined ? {} : { predictor }),
  };
}

function comparison(results: PolicyResult[]): ComparisonResult {
  return {
    workload: { name: "mixed-tenants", params: {}, seed: 1 },
    engines: { count: 4, profile: "p", numGpuBlocks: 1, blockSize: 16 },
    slo: { ttftMs: 2000, tpotMs: 100 },
    stages: [],
    results,
    skipped: [],
  };
}

const PROSPECTIVE = { requests: 900, mape: 0.2, bias: -0.05, coverage: 0.85 };

describe("SLO report tables", () => {
  test("goodput per stage and over all stages, weighted by requests", () => {
    // (200 × 1 + 600 × 0.2) / 800 = 40 %.
    const table = goodputTable(
      comparison([
        result("default", [stage(10, 200, 1), stage(30, 600, 0.2)]),
        result("slo", [stage(10, 200, 1), stage(30, 600, 0.9)]),
      ]),
    );
    expect(table.header).toEqual(["policy", "QPS 10", "QPS 30", "all stages"]);
    expect(table.rows).toEqual([
      ["default", "100.0 %", "20.0 %", "40.0 % (320/800)"],
      ["slo", "100.0 %", "90.0 %", "92.5 % (740/800)"],
    ]);
  });

  test("predictor accuracy only for policies that trained one", () => {
    expect(predictorTable(comparison([result("default", [])]))).toBeNull();
    const heldBack = {
      family: "hybrid",
      ttftMape: 0.123,
      ttftCoverage: 0.9,
      tpotMape: 0.05,
      testSamples: 300,
      samplesObserved: 3000,
      trainings: 12,
    };
    const table = predictorTable(
      comparison([
        result("default", []),
        result("slo", [stage(10, 200, 1), stage(30, 600, 0.9)], {
          heldBack,
          prospective: { ttft: PROSPECTIVE, tpot: PROSPECTIVE },
          ttftByStage: { 10: { ...PROSPECTIVE, mape: 0.08 } },
        }),
      ]),
    );
    expect(table?.rows).toEqual([
      ["slo", "hybrid", "12.3 %", "90.0 %", "5.0 %", "300", "20.0 %", "85.0 %", "20.0 %", "900", "12"],
    ]);
    // Stage indices of this fixture equal their QPS; stage 30 saw no prediction.
    expect(predictorByStageTable(comparison([result("default", []), result("x", [])]))).toBeNull();
  });

  test("prospective TTFT accuracy by stage", () => {
    const withPredictor = result("slo", [stage(10, 200, 1), stage(30, 600, 0.9)], {
      heldBack: null,
      prospective: { ttft: PROSPECTIVE, tpot: PROSPECTIVE },
      ttftByStage: { 10: { ...PROSPECTIVE, mape: 0.08 } },
    });
    const table = predictorByStageTable(
      comparison([result("default", [stage(10, 200, 1), stage(30, 600, 0.2)]), withPredictor]),
    );
    expect(table?.header).toEqual(["policy", "QPS 10", "QPS 30"]);
    expect(table?.rows).toEqual([["slo", "8.0 %", "-"]]);
  });
});
