// Weighted ridge regression on engineered columns (features.ts). Weights 1/y² make least squares
// minimise relative error, the quantity MAPE measures, instead of letting the slowest requests dominate.
import { LINEAR_WIDTH, linearColumns, ROW_WIDTH, type Target } from "./features.ts";

export interface LinearModel {
  readonly family: "linear";
  readonly target: Target;
  readonly coefficients: Float64Array;
}

/** Predicted target (ms) for the raw row at `row[offset..]`; floored at `floorMs`. */
export function predictLinear(
  model: LinearModel,
  row: Float64Array,
  offset: number,
  scratch: Float64Array,
  floorMs: number,
): number {
  linearColumns(model.target, row, offset, scratch);
  const c = model.coefficients;
  let sum = 0;
  for (let j = 0; j < c.length; j++) sum += (c[j] as number) * (scratch[j] as number);
  return Math.max(sum, floorMs);
}

/** Fits `target` on `count` raw rows whose target column is at `targetCol` (rows with NaN there are skipped). */
export function fitLinear(
  rows: Float64Array,
  count: number,
  target: Target,
  targetCol: number,
  ridge: number,
): LinearModel {
  const d = LINEAR_WIDTH[target];
  const xtx = new Float64Array(d * d);
  const xty = new Float64Array(d);
  const x = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    const y = rows[i * ROW_WIDTH + targetCol] as number;
    if (!(y > 0)) continue;
    linearColumns(target, rows, i * ROW_WIDTH, x);
    const w = 1 / (y * y);
    for (let a = 0; a < d; a++) {
      const wa = w * (x[a] as number);
      xty[a] = (xty[a] as number) + wa * y;
      for (let b = a; b < d; b++) xtx[a * d + b] = (xtx[a * d + b] as number) + wa * (x[b] as number);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) xtx[a * d + b] = xtx[b * d + a] as number;
    // The intercept is not penalised.
    if (a > 0) xtx[a * d + a] = (xtx[a * d + a] as number) + ridge;
  }
  return { family: "linear", target, coefficients: solveSymmetric(xtx, xty, d) };
}

/** Solves A·β = b by Gaussian elimination with partial pivoting; a singular column gets β = 0. */
function solveSymmetric(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const m = Float64Array.from(a);
  const v = Float64Array.from(b);
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++) {
      if (Math.abs(m[r * d + col] as number) > Math.abs(m[pivot * d + col] as number)) pivot = r;
    }
    if (Math.abs(m[pivot * d + col] as number) < 1e-12) continue;
    if (pivot !== col) {
      for (let k = 0; k < d; k++) {
        const swap = m[col * d + k] as number;
        m[col * d + k] = m[pivot * d + k] as number;
        m[pivot * d + k] = swap;
      }
      const swap = v[col] as number;
      v[col] = v[pivot] as number;
      v[pivot] = swap;
    }
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const factor = (m[r * d + col] as number) / (m[col * d + col] as number);
      if (factor === 0) continue;
      for (let k = col; k < d; k++)
        m[r * d + k] = (m[r * d + k] as number) - factor * (m[col * d + k] as number);
      v[r] = (v[r] as number) - factor * (v[col] as number);
    }
  }
  const beta = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const pivot = m[j * d + j] as number;
    beta[j] = Math.abs(pivot) < 1e-12 ? 0 : (v[j] as number) / pivot;
  }
  return beta;
}
