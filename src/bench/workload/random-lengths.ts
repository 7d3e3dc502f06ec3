// Unshared random prompts with uniform length spreads: the prefill-heavy (about 10:1 input:output)
// and decode-heavy shapes. No two prompts share a block, so routing can only balance load.
import { z } from "zod";
import type { Workload } from "../types.ts";
import { type AssembleInput, assembleWorkload, spreadLength } from "./assemble.ts";
import type { StageSpec } from "./stages.ts";
import { streamOf, tokensOf } from "./token-ids.ts";

export const DEFAULT_STAGES: readonly StageSpec[] = [2, 4, 8].map((qps) => ({ qps, durationS: 60 }));

/** Params with per-shape defaults. */
export function paramsWithDefaults(inputTokens: number, outputTokens: number) {
  return z.strictObject({
    inputTokens: z.coerce.number().int().min(1).default(inputTokens).describe("mean prompt tokens"),
    outputTokens: z.coerce.number().int().min(1).default(outputTokens).describe("mean max_tokens"),
    inputSpread: z.coerce.number().min(0).max(1).default(0.5).describe("prompt length spread, ±fraction"),
    outputSpread: z.coerce.number().min(0).max(1).default(0.5).describe("output length spread, ±fraction"),
  });
}

export interface RandomLengthParams {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly inputSpread: number;
  readonly outputSpread: number;
}

export function build(params: RandomLengthParams, input: AssembleInput): Workload {
  const { seed } = input;
  const lengths = streamOf(seed, `${input.name}:lengths`);
  return assembleWorkload(input, (k) => {
    const promptTokens = spreadLength(params.inputTokens, params.inputSpread, lengths());
    return {
      promptTokens,
      maxTokens: spreadLength(params.outputTokens, params.outputSpread, lengths()),
      tags: {},
      promptTokenIds: () => tokensOf(seed, `${input.name}:${k}`, promptTokens),
    };
  });
}
