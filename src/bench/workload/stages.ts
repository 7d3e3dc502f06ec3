// Load ladders and arrival times: stage specs ("rate:durationS"), llm-d's published shared-prefix
// ladder, and open-loop Poisson or constant-rate arrival offsets within each stage.
import type { Stage } from "../types.ts";
import { streamOf } from "./token-ids.ts";

export interface StageSpec {
  readonly qps: number;
  readonly durationS: number;
  readonly isWarmup?: boolean;
}

export type ArrivalProcess = "poisson" | "constant";

/**
 * llm-d's B2B-SaaS shared-prefix ladder (llm-d-reference §8.1, inference-perf): warm-up 15 QPS × 50 s
 * (one pass over the 750 prompts), then rate:duration pairs chosen so each rung sends ~750-1500 requests.
 */
export const LLM_D_SHARED_PREFIX_LADDER: readonly StageSpec[] = [
  { qps: 15, durationS: 50, isWarmup: true },
  ...(
    [
      [3, 20],
      [10, 20],
      [15, 20],
      [20, 38],
      [22, 34],
      [25, 30],
      [30, 25],
      [35, 21],
      [40, 38],
      [43, 36],
      [46, 33],
      [49, 30],
      [52, 29],
      [55, 27],
      [57, 26],
      [60, 25],
    ] as const
  ).map(([qps, durationS]) => ({ qps, durationS })),
];

/** Stages with indexes and durations in ms. */
export function toStages(specs: readonly StageSpec[]): Stage[] {
  return specs.map((spec, index) => ({
    index,
    qps: spec.qps,
    durationMs: spec.durationS * 1000,
    isWarmup: spec.isWarmup === true,
  }));
}

/** Arrival offsets (ms from the stage start) of one stage; deterministic for (seed, stage index). */
export function arrivalOffsets(stage: Stage, process: ArrivalProcess, seed: number): number[] {
  const offsets: number[] = [];
  if (stage.qps <= 0) return offsets;
  const gapMs = 1000 / stage.qps;
  if (process === "constant") {
    // Multiplied, not accumulated: rate × duration arrivals exactly, without float drift.
    for (let k = 0; k * gapMs < stage.durationMs - 1e-9; k++) offsets.push(k * gapMs);
    return offsets;
  }
  const next = streamOf(seed, `arrivals:${stage.index}`);
  // Exponential gaps: open-loop Poisson arrivals, as inference-perf's `load.type: poisson`.
  for (let t = -Math.log(1 - next()) * gapMs; t < stage.durationMs; t += -Math.log(1 - next()) * gapMs) {
    offsets.push(t);
  }
  return offsets;
}
