// A fitted model of one target (TTFT or TPOT): either family, plus the factor that turns its point
// estimate into a p90 bound. Plain data, so it crosses the worker boundary by structured clone.
import { FEATURE_COUNT } from "./features.ts";
import { type GbdtModel, predictGbdt } from "./gbdt-model.ts";
import { type LinearModel, predictLinear } from "./linear.ts";

/** Predictions never go below this (ms): a model extrapolating to 0 or less would claim an impossible latency. */
export const FLOOR_MS = 0.01;

/** Ridge estimate (ms) times exp(trees), the trees fitted to log(actual / ridge estimate). */
export interface HybridModel {
  readonly family: "hybrid";
  readonly linear: LinearModel;
  readonly trees: GbdtModel;
}

export interface TargetModel {
  /** gbdt fits log(ms); linear fits ms; hybrid fits ms, then log residuals. */
  readonly fitted: GbdtModel | LinearModel | HybridModel;
  /** p90 of actual / predicted on the training rows (≥ 1 when the model under-predicts a tenth of them). */
  readonly p90Factor: number;
}

/** Scratch space for one prediction; reuse it across calls on one thread. */
export function createScratch(): Float64Array {
  return new Float64Array(Math.max(FEATURE_COUNT, 16));
}

/** Point estimate in ms for the raw feature row at `row[offset..]`. */
export function predictTarget(
  model: TargetModel,
  row: Float64Array,
  offset: number,
  scratch: Float64Array,
): number {
  const fitted = model.fitted;
  if (fitted.family === "gbdt") {
    const ms = Math.exp(predictGbdt(fitted, row, offset));
    return Math.max(ms, FLOOR_MS);
  }
  if (fitted.family === "linear") return predictLinear(fitted, row, offset, scratch, FLOOR_MS);
  const ms =
    predictLinear(fitted.linear, row, offset, scratch, FLOOR_MS) *
    Math.exp(predictGbdt(fitted.trees, row, offset));
  return Math.max(ms, FLOOR_MS);
}
