// Mixed tenants and priorities: each tenant has its own system prompt and a priority class, optionally
// with per-request SLOs; tenants send skewed shares of the traffic (tenant i weighs 1/(i+1)^skew), so
// fairness, priority and SLO-aware routing matter.
import { z } from "zod";
import type { Workload } from "../types.ts";
import { type AssembleInput, assembleWorkload, spreadLength } from "./assemble.ts";
import type { StageSpec } from "./stages.ts";
import { appendTokens, MARKER_TOKEN_BASE, streamOf } from "./token-ids.ts";

export const NAME = "mixed-tenants";
export const DESCRIPTION = "tenants with their own system prompts, skewed traffic and priority classes";
export const DEFAULT_STAGES: readonly StageSpec[] = [2, 4, 8].map((qps) => ({ qps, durationS: 60 }));

/** Objectives in ms, one per priority class, as a comma list; a class past the list's end reuses it cyclically. */
const sloList = z
  .string()
  .regex(/^(\d+(,\d+)*)?$/, "a comma-separated list of whole ms")
  .default("")
  .transform((text) => (text === "" ? [] : text.split(",").map(Number)))
  .refine((values) => values.every((v) => v > 0), "SLOs must be > 0 ms");

export const Params = z.strictObject({
  tenants: z.coerce.number().int().min(1).max(1000).default(4).describe("tenants"),
  skew: z.coerce.number().min(0).max(4).default(1).describe("traffic skew: tenant i weighs 1/(i+1)^skew"),
  priorities: z
    .string()
    .regex(/^-?\d+(,-?\d+)*$/, "a comma-separated list of integers")
    .default("0,1")
    .describe("priority classes; tenant i gets class i mod count (lower runs first)"),
  systemPromptTokens: z.coerce.number().int().min(0).default(2000).describe("tokens of each tenant's prompt"),
  questionTokens: z.coerce.number().int().min(1).default(500).describe("mean question tokens"),
  outputTokens: z.coerce.number().int().min(1).default(300).describe("mean max_tokens"),
  spread: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("question and output length spread, ±fraction"),
  sloTtftMs: sloList.describe(
    "per-request TTFT SLO (x-llmux-slo-ttft-ms) by priority class, e.g. 1000,8000 (empty: none)",
  ),
  sloTpotMs: sloList.describe("per-request TPOT SLO (x-llmux-slo-tpot-ms) by priority class (empty: none)"),
});
export type Params = z.infer<typeof Params>;

export function build(params: Params, input: AssembleInput): Workload {
  const { seed } = input;
  const classes = params.priorities.split(",").map(Number);
  const weights = Array.from({ length: params.tenants }, (_, i) => 1 / (i + 1) ** params.skew);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const draws = streamOf(seed, "mixed-tenants:draws");
  return assembleWorkload(input, (k) => {
    const tenant = pickWeighted(weights, draws() * totalWeight);
    const questionTokens = spreadLength(params.questionTokens, params.spread, draws());
    const maxTokens = spreadLength(params.outputTokens, params.spread, draws());
    const classIndex = tenant % classes.length;
    return {
      promptTokens: params.systemPromptTokens + questionTokens,
      maxTokens,
      tags: {
        tenant: `tenant-${tenant}`,
        priority: classes[classIndex]!,
        ...sloTags(params, classIndex),
      },
      promptTokenIds: () => {
        const tokens: number[] = [];
        appendTokens(tokens, seed, `tenant-system:${tenant}`, params.systemPromptTokens);
        tokens.push(MARKER_TOKEN_BASE + (k % 20_000));
        appendTokens(tokens, seed, `tenant-question:${k}`, questionTokens - 1);
        return tokens;
      },
    };
  });
}

function sloTags(params: Params, classIndex: number): { sloTtftMs?: number; sloTpotMs?: number } {
  const { sloTtftMs: ttft, sloTpotMs: tpot } = params;
  return {
    ...(ttft.length === 0 ? {} : { sloTtftMs: ttft[classIndex % ttft.length]! }),
    ...(tpot.length === 0 ? {} : { sloTpotMs: tpot[classIndex % tpot.length]! }),
  };
}

function pickWeighted(weights: readonly number[], target: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (target < acc) return i;
  }
  return weights.length - 1;
}
