import { describe, expect, test } from "bun:test";
import { COL, ROW_WIDTH, TPOT_COL, TTFT_COL } from "../../src/predictor/features.ts";
import { PredictorOptions } from "../../src/predictor/index.ts";
import { runTrainingJob, seededRng } from "../../src/predictor/train-job.ts";

function block(count: number, seed: number, hasTpot: boolean) {
  const rng = seededRng(seed);
  const rows = new Float64Array(count * ROW_WIDTH);
  for (let i = 0; i < count; i++) {
    const at = i * ROW_WIDTH;
    rows[at + COL.inputTokens] = 100 + rng() * 4000;
    rows[at + COL.effectiveInputTokens] = rows[at + COL.inputTokens] as number;
    rows[at + TTFT_COL] = 10 + (rows[at + COL.inputTokens] as number) / 50;
    rows[at + TPOT_COL] = hasTpot ? 7 : Number.NaN;
  }
  return { rows, count };
}

describe("training job", () => {
  test("fits each requested family per target and serves the lowest held-back MAPE", () => {
    const result = runTrainingJob({
      training: block(500, 1, true),
      test: block(100, 2, true),
      options: PredictorOptions.parse({}),
    });
    const families = result.ttft.candidates.map((c) => c.family);
    expect(families).toEqual(["gbdt", "linear", "hybrid"]);
    const best = Math.min(...result.ttft.candidates.map((c) => c.mape));
    expect(result.ttft.selected?.mape).toBe(best);
    expect(String(result.ttft.model?.fitted.family)).toBe(String(result.ttft.selected?.family));
    expect(result.durationMs).toBeGreaterThan(0);
  });

  test("one family when configured; no TPOT model without TPOT samples", () => {
    const result = runTrainingJob({
      training: block(200, 1, false),
      test: block(50, 2, false),
      options: PredictorOptions.parse({ family: "linear" }),
    });
    expect(result.ttft.candidates.map((c) => c.family)).toEqual(["linear"]);
    expect(result.tpot).toEqual({ model: null, selected: null, candidates: [] });
  });

  test("with too few held-back rows, candidates are compared on their training rows", () => {
    const result = runTrainingJob({
      training: block(300, 1, true),
      test: block(3, 2, true),
      options: PredictorOptions.parse({ family: "gbdt" }),
    });
    expect(result.ttft.selected?.testSamples).toBe(300);
  });
});
