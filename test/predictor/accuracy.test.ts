import { describe, expect, test } from "bun:test";
import { measureAccuracy, p90Factor } from "../../src/predictor/accuracy.ts";
import { COL, ROW_WIDTH, TTFT_COL } from "../../src/predictor/features.ts";
import type { TargetModel } from "../../src/predictor/model.ts";

/** A linear model predicting exactly 100 ms (intercept only). */
const CONSTANT: TargetModel = {
  fitted: {
    family: "linear",
    target: "ttft",
    coefficients: Float64Array.of(100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  },
  p90Factor: 1.2,
};

function rows(actuals: readonly number[]): Float64Array {
  const out = new Float64Array(actuals.length * ROW_WIDTH);
  actuals.forEach((actual, i) => {
    out[i * ROW_WIDTH + COL.inputTokens] = 1;
    out[i * ROW_WIDTH + TTFT_COL] = actual;
  });
  return out;
}

describe("accuracy", () => {
  test("MAPE is the mean |predicted − actual| / actual; coverage counts actuals under the p90 bound", () => {
    // Errors: 0/100, 20/80, 25/125, 100/200 → MAPE (0 + 0.25 + 0.2 + 0.5) / 4 = 0.2375; the bound 120 covers 100 and 80.
    const accuracy = measureAccuracy(CONSTANT, rows([100, 80, 125, 200, Number.NaN]), 5, TTFT_COL);
    expect(accuracy.mape).toBeCloseTo(0.2375, 10);
    expect(accuracy.coverage).toBe(0.5);
    expect(accuracy.testSamples).toBe(4);
    expect(accuracy.family).toBe("linear");
  });

  test("the p90 factor is the 0.9 quantile of actual / predicted", () => {
    const actuals = Array.from({ length: 10 }, (_, i) => 50 + 10 * i); // ratios 0.5 … 1.4
    expect(p90Factor({ fitted: CONSTANT.fitted }, rows(actuals), 10, TTFT_COL)).toBeCloseTo(1.4, 10);
    expect(p90Factor({ fitted: CONSTANT.fitted }, rows([]), 0, TTFT_COL)).toBe(1);
  });
});
