// llm-d's "B2B-SaaS" shared-prefix workload (inference-perf `shared_prefix`, llm-d-reference §8.1):
// `groups` system prompts, each followed by `promptsPerGroup` distinct questions; arrivals cycle
// through a seeded permutation of the prompts so one pass of the warm-up covers every prompt once.
import { z } from "zod";
import type { Workload } from "../types.ts";
import { type AssembleInput, assembleWorkload, memoPrompt, spreadLength } from "./assemble.ts";
import { LLM_D_SHARED_PREFIX_LADDER, type StageSpec } from "./stages.ts";
import { appendTokens, MARKER_TOKEN_BASE, streamOf } from "./token-ids.ts";

export const NAME = "shared-prefix";
export const DESCRIPTION = "groups share a long system prompt; distinct questions (llm-d B2B-SaaS profile)";
export const DEFAULT_STAGES: readonly StageSpec[] = LLM_D_SHARED_PREFIX_LADDER;

export const Params = z.strictObject({
  groups: z.coerce.number().int().min(1).max(100_000).default(150).describe("system prompts (groups)"),
  promptsPerGroup: z.coerce.number().int().min(1).max(20_000).default(5).describe("questions per group"),
  systemPromptTokens: z.coerce.number().int().min(0).default(6000).describe("tokens of each system prompt"),
  questionTokens: z.coerce.number().int().min(1).default(1200).describe("tokens of each question"),
  outputTokens: z.coerce
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe("max_tokens (ignore_eos: all generated)"),
  questionSpread: z.coerce.number().min(0).max(1).default(0).describe("question length spread, ±fraction"),
  outputSpread: z.coerce.number().min(0).max(1).default(0).describe("output length spread, ±fraction"),
});
export type Params = z.infer<typeof Params>;

export function build(params: Params, input: AssembleInput): Workload {
  const { seed } = input;
  const total = params.groups * params.promptsPerGroup;
  const lengths = streamOf(seed, "shared-prefix:lengths");
  const prompts = Array.from({ length: total }, (_, id) => {
    const group = Math.floor(id / params.promptsPerGroup);
    const question = id % params.promptsPerGroup;
    const questionTokens = spreadLength(params.questionTokens, params.questionSpread, lengths());
    const maxTokens = spreadLength(params.outputTokens, params.outputSpread, lengths());
    const promptTokenIds = memoPrompt(() => {
      const tokens: number[] = [];
      appendTokens(tokens, seed, `system:${group}`, params.systemPromptTokens);
      // A marker outside the random id range starts each question, so prompts of one group share
      // exactly the system prompt and not one token more.
      tokens.push(MARKER_TOKEN_BASE + (question % 20_000));
      appendTokens(tokens, seed, `question:${group}:${question}`, questionTokens - 1);
      return tokens;
    });
    return {
      promptTokens: params.systemPromptTokens + questionTokens,
      maxTokens,
      tags: { group: `g${group}` },
      promptTokenIds,
    };
  });
  const order = permutation(total, streamOf(seed, "shared-prefix:order"));
  return assembleWorkload(input, (k) => prompts[order[k % total]!]!);
}

/** Fisher-Yates over 0..n-1 with the given stream. */
function permutation(n: number, next: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
