// Long-document QA: a few long documents, each asked many short questions; prompts are the document
// followed by the question, so every question about one document shares the whole document.
import { z } from "zod";
import type { Workload } from "../types.ts";
import { type AssembleInput, assembleWorkload, memoPrompt } from "./assemble.ts";
import type { StageSpec } from "./stages.ts";
import { appendTokens, MARKER_TOKEN_BASE, streamOf, tokensOf } from "./token-ids.ts";

export const NAME = "long-document-qa";
export const DESCRIPTION = "many short questions about a few long documents";
export const DEFAULT_STAGES: readonly StageSpec[] = [0.5, 1, 2].map((qps) => ({ qps, durationS: 120 }));

export const Params = z.strictObject({
  documents: z.coerce.number().int().min(1).default(8).describe("distinct documents"),
  documentTokens: z.coerce.number().int().min(1).default(20_000).describe("tokens per document"),
  questionTokens: z.coerce.number().int().min(1).default(100).describe("tokens per question"),
  outputTokens: z.coerce.number().int().min(1).default(200).describe("max_tokens per answer"),
});
export type Params = z.infer<typeof Params>;

export function build(params: Params, input: AssembleInput): Workload {
  const { seed } = input;
  const pick = streamOf(seed, "document-qa:pick");
  const documents = Array.from({ length: params.documents }, (_, d) =>
    memoPrompt(() => tokensOf(seed, `document:${d}`, params.documentTokens)),
  );
  return assembleWorkload(input, (k) => {
    const document = Math.floor(pick() * params.documents);
    return {
      promptTokens: params.documentTokens + params.questionTokens,
      maxTokens: params.outputTokens,
      tags: { group: `doc${document}` },
      promptTokenIds: () => {
        const tokens = documents[document]!().slice();
        // A marker starts the question so questions share exactly the document.
        tokens.push(MARKER_TOKEN_BASE + (k % 20_000));
        appendTokens(tokens, seed, `document-question:${k}`, params.questionTokens - 1);
        return tokens;
      },
    };
  });
}
