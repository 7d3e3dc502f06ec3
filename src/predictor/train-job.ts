// One training run, as a pure function of the window's rows: fit each family per target, measure it on
// the held-back rows, keep the most accurate. Runs on the worker thread (train-worker.ts) or inline.
import { measureAccuracy, p90Factor } from "./accuracy.ts";
import { FEATURE_COUNT, ROW_WIDTH, type Target, TPOT_COL, TTFT_COL } from "./features.ts";
import { fitGbdt } from "./gbdt.ts";
import { fitLinear, predictLinear } from "./linear.ts";
import { createScratch, FLOOR_MS, type TargetModel } from "./model.ts";
import type { PredictorOptions } from "./options.ts";
import type { ModelAccuracy, ModelFamily } from "./types.ts";
import type { RowBlock } from "./window.ts";

export interface TrainingJob {
  readonly training: RowBlock;
  readonly test: RowBlock;
  readonly options: PredictorOptions;
}

export interface TrainedTarget {
  /** null when there were no usable rows for this target. */
  readonly model: TargetModel | null;
  readonly selected: ModelAccuracy | null;
  readonly candidates: readonly ModelAccuracy[];
}

export interface TrainingResult {
  readonly ttft: TrainedTarget;
  readonly tpot: TrainedTarget;
  readonly durationMs: number;
}

/** Fewer held-back rows than this and candidates are compared on their training rows instead. */
const MIN_TEST_ROWS = 10;

export function runTrainingJob(job: TrainingJob): TrainingResult {
  const startMs = performance.now();
  const ttft = trainTarget(job, "ttft", TTFT_COL);
  const tpot = trainTarget(job, "tpot", TPOT_COL);
  return { ttft, tpot, durationMs: performance.now() - startMs };
}

function trainTarget(job: TrainingJob, target: Target, targetCol: number): TrainedTarget {
  const { rows, count } = usableRows(job.training, targetCol);
  if (count === 0) return { model: null, selected: null, candidates: [] };
  const test = job.test.count >= MIN_TEST_ROWS ? job.test : { rows, count };
  const families: ModelFamily[] =
    job.options.family === "auto" ? ["gbdt", "linear", "hybrid"] : [job.options.family];
  const fitted = families.map((family) => {
    const model = fitFamily(family, target, rows, count, targetCol, job.options);
    return { model, accuracy: measureAccuracy(model, test.rows, test.count, targetCol) };
  });
  let best = fitted[0] as (typeof fitted)[number];
  for (const candidate of fitted) {
    if (candidate.accuracy.mape < best.accuracy.mape || Number.isNaN(best.accuracy.mape)) best = candidate;
  }
  return { model: best.model, selected: best.accuracy, candidates: fitted.map((f) => f.accuracy) };
}

function fitFamily(
  family: ModelFamily,
  target: Target,
  rows: Float64Array,
  count: number,
  targetCol: number,
  options: PredictorOptions,
): TargetModel {
  const linear = family === "gbdt" ? null : fitLinear(rows, count, target, targetCol, options.ridge);
  if (family === "linear" && linear !== null) {
    return { fitted: linear, p90Factor: p90Factor({ fitted: linear }, rows, count, targetCol) };
  }
  const scratch = createScratch();
  const x = new Float64Array(count * FEATURE_COUNT);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * ROW_WIDTH;
    x.set(rows.subarray(at, at + FEATURE_COUNT), i * FEATURE_COUNT);
    // Log target: squared or absolute error on log(ms) is relative error, what MAPE and SLO headroom use.
    const base = linear === null ? 1 : predictLinear(linear, rows, at, scratch, FLOOR_MS);
    y[i] = Math.log((rows[at + targetCol] as number) / base);
  }
  const trees = fitGbdt(x, y, count, FEATURE_COUNT, options.gbdt, seededRng(options.seed));
  const fitted = linear === null ? trees : { family: "hybrid" as const, linear, trees };
  return { fitted, p90Factor: p90Factor({ fitted }, rows, count, targetCol) };
}

/** The rows whose target is a positive number, packed. */
function usableRows(block: RowBlock, targetCol: number): RowBlock {
  let count = 0;
  const rows = new Float64Array(block.count * ROW_WIDTH);
  for (let i = 0; i < block.count; i++) {
    if (!((block.rows[i * ROW_WIDTH + targetCol] as number) > 0)) continue;
    rows.set(block.rows.subarray(i * ROW_WIDTH, (i + 1) * ROW_WIDTH), count * ROW_WIDTH);
    count++;
  }
  return { rows, count };
}

/** mulberry32: small, fast and reproducible across threads (the worker cannot share the caller's rng). */
export function seededRng(seed: number): () => number {
  let state = seed >>> 0;
  return function nextRandom() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
