import { expect, test } from "bun:test";
import { COL, LINEAR_WIDTH, linearColumns, ROW_WIDTH, TTFT_COL } from "../../src/predictor/features.ts";
import { fitLinear, predictLinear } from "../../src/predictor/linear.ts";
import { seededRng } from "../../src/predictor/train-job.ts";

test("recovers a TTFT that is linear in its engineered columns", () => {
  const rng = seededRng(11);
  const n = 400;
  const rows = new Float64Array(n * ROW_WIDTH);
  const columns = new Float64Array(LINEAR_WIDTH.ttft);
  // TTFT = 20 ms + 30 ms per thousand uncached tokens + 15 ms per thousand prefill tokens ahead.
  for (let i = 0; i < n; i++) {
    const at = i * ROW_WIDTH;
    rows[at + COL.inputTokens] = 100 + rng() * 4000;
    rows[at + COL.effectiveInputTokens] = rows[at + COL.inputTokens] as number;
    rows[at + COL.inFlightPrefillTokens] = rng() * 8000;
    linearColumns("ttft", rows, at, columns);
    rows[at + TTFT_COL] = 20 + 30 * (columns[1] as number) + 15 * (columns[4] as number);
  }
  const model = fitLinear(rows, n, "ttft", TTFT_COL, 1e-9);
  expect(model.coefficients[0]).toBeCloseTo(20, 3);
  expect(model.coefficients[1]).toBeCloseTo(30, 3);
  expect(model.coefficients[4]).toBeCloseTo(15, 3);
  const scratch = new Float64Array(16);
  expect(predictLinear(model, rows, 0, scratch, 0.01)).toBeCloseTo(rows[TTFT_COL] as number, 3);
});

test("rows without a positive target are skipped; a floor stops negative extrapolation", () => {
  const rows = new Float64Array(2 * ROW_WIDTH);
  rows[TTFT_COL] = Number.NaN;
  rows[ROW_WIDTH + TTFT_COL] = 0;
  const model = fitLinear(rows, 2, "ttft", TTFT_COL, 0.001);
  expect([...model.coefficients].every((c) => c === 0)).toBe(true);
  expect(predictLinear(model, rows, 0, new Float64Array(16), 0.01)).toBe(0.01);
});
