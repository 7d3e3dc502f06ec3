// Turns a workload's per-arrival request shapes into a Workload: arrival offsets per stage, global
// indexes, and lengths drawn with an optional uniform spread.
import type { RequestTags, Stage, Workload, WorkloadRequest } from "../types.ts";
import { type ArrivalProcess, arrivalOffsets } from "./stages.ts";

/** Everything about a request except when it arrives. */
export interface RequestShape {
  readonly promptTokens: number;
  readonly maxTokens: number;
  readonly tags: RequestTags;
  promptTokenIds(): readonly number[];
}

export interface AssembleInput {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly stages: readonly Stage[];
  readonly arrival: ArrivalProcess;
}

/** Calls `shapeOf(k)` for the k-th arrival across all stages, in arrival order. */
export function assembleWorkload(
  input: AssembleInput,
  shapeOf: (arrivalIndex: number) => RequestShape,
): Workload {
  const requests: WorkloadRequest[] = [];
  for (const stage of input.stages) {
    for (const offsetMs of arrivalOffsets(stage, input.arrival, input.seed)) {
      const shape = shapeOf(requests.length);
      requests.push({
        index: requests.length,
        stage: stage.index,
        offsetMs,
        promptTokens: shape.promptTokens,
        maxTokens: shape.maxTokens,
        tags: shape.tags,
        promptTokenIds: () => shape.promptTokenIds(),
      });
    }
  }
  return { name: input.name, params: input.params, seed: input.seed, stages: input.stages, requests };
}

/** `mean` spread uniformly by ±`spread` (a fraction), at least 1; deterministic for the draw `u`. */
export function spreadLength(mean: number, spread: number, u: number): number {
  return Math.max(1, Math.round(mean * (1 + spread * (2 * u - 1))));
}

/** Memoises prompts that many arrivals reuse (shared-prefix, document QA). */
export function memoPrompt(build: () => number[]): () => readonly number[] {
  let tokens: number[] | null = null;
  return () => {
    tokens ??= build();
    return tokens;
  };
}
