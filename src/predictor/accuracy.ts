// Accuracy of a fitted model on rows it did not train on: MAPE of the point estimate and coverage of
// the p90 bound; and the p90 calibration factor itself, measured on the training rows.
import { ROW_WIDTH } from "./features.ts";
import { createScratch, predictTarget, type TargetModel } from "./model.ts";
import type { ModelAccuracy } from "./types.ts";

/** MAPE and coverage over `count` rows whose target sits at `targetCol` (NaN targets skipped). */
export function measureAccuracy(
  model: TargetModel,
  rows: Float64Array,
  count: number,
  targetCol: number,
): ModelAccuracy {
  const scratch = createScratch();
  let errorSum = 0;
  let covered = 0;
  let used = 0;
  for (let i = 0; i < count; i++) {
    const actual = rows[i * ROW_WIDTH + targetCol] as number;
    if (!(actual > 0)) continue;
    const predicted = predictTarget(model, rows, i * ROW_WIDTH, scratch);
    errorSum += Math.abs(predicted - actual) / actual;
    if (actual <= predicted * model.p90Factor) covered++;
    used++;
  }
  return {
    family: model.fitted.family,
    mape: used > 0 ? errorSum / used : Number.NaN,
    coverage: used > 0 ? covered / used : Number.NaN,
    testSamples: used,
  };
}

/** The 0.9 quantile of actual/predicted over the rows: multiplying by it covers 90 % of them. */
export function p90Factor(
  model: Omit<TargetModel, "p90Factor">,
  rows: Float64Array,
  count: number,
  targetCol: number,
): number {
  const scratch = createScratch();
  const unit: TargetModel = { ...model, p90Factor: 1 };
  const ratios: number[] = [];
  for (let i = 0; i < count; i++) {
    const actual = rows[i * ROW_WIDTH + targetCol] as number;
    if (actual > 0) ratios.push(actual / predictTarget(unit, rows, i * ROW_WIDTH, scratch));
  }
  if (ratios.length === 0) return 1;
  ratios.sort((a, b) => a - b);
  return ratios[Math.min(ratios.length - 1, Math.floor(0.9 * ratios.length))] as number;
}
