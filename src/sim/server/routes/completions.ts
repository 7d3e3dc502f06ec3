// POST /v1/completions: prompts as a string, strings, token ids or lists of token ids; each prompt
// runs n choices, streamed as text_completion chunks or returned together.
import type { Context, Hono } from "hono";
import {
  type CompletionChunkState,
  type CompletionFormatOptions,
  completionChunk,
  completionResponse,
  completionUsageChunk,
} from "../completion-format.ts";
import type { SimEngineHandle, SimServerContext } from "../context.ts";
import { badRequest, validationError } from "../errors.ts";
import type { GenerationSpec, SequenceSpec } from "../generation-types.ts";
import {
  admitOrFail,
  baseRequestId,
  checkCommonFields,
  kvTransferIntent,
  readBody,
  resolveMaxTokens,
  type StreamSettings,
  samplingSpec,
  tokenizeOrFail,
} from "../request-common.ts";
import { generateOnce, respondStreaming, type StreamHandlers } from "../respond.ts";
import { type CompletionRequest, CompletionRequestSchema } from "../schemas.ts";
import { type ResponseMeta, usageInfo } from "../usage.ts";

/** CompletionRequest.max_tokens default (protocol.py). */
const DEFAULT_COMPLETION_MAX_TOKENS = 16;

export function registerCompletionRoutes(app: Hono, ctx: SimServerContext): void {
  app.post("/v1/completions", (c) => completions(ctx, c));
}

export interface CompletionPrompt {
  readonly tokenIds: readonly number[];
  /** The prompt text; for token-id prompts decoded only when `needsText` (echo). */
  readonly text: string;
}

/** Normalizes the four prompt forms to token ids (+ text for echo). */
export function completionPrompts(
  ctx: SimServerContext,
  prompt: string | string[] | number[] | number[][],
  addSpecialTokens: boolean,
  needsText = false,
): CompletionPrompt[] {
  if (prompt === "") {
    throw validationError(
      "Value error, Either prompt or prompt_embeds must be provided and non-empty.",
      "prompt",
    );
  }
  const fromText = (text: string) => ({
    text,
    tokenIds: tokenizeOrFail(() => ctx.tokenizer.encode(text, addSpecialTokens)),
  });
  const fromIds = (ids: number[]) => {
    const outside = ids.find((id) => id >= ctx.tokenizer.vocabSize);
    if (outside !== undefined) throw badRequest(`Token id ${outside} is out of vocabulary`, "prompt");
    return { tokenIds: ids, text: needsText ? tokenizeOrFail(() => ctx.tokenizer.decode(ids)) : "" };
  };
  if (typeof prompt === "string") return [fromText(prompt)];
  const [first] = prompt;
  if (typeof first === "number") return [fromIds(prompt as number[])];
  if (typeof first === "string") return (prompt as string[]).map(fromText);
  return (prompt as number[][]).map(fromIds);
}

interface CompletionPlan {
  readonly spec: GenerationSpec;
  readonly meta: ResponseMeta;
  readonly format: CompletionFormatOptions;
  readonly stream: StreamSettings;
  readonly handle: SimEngineHandle;
  readonly promptTokens: number;
}

async function completions(ctx: SimServerContext, c: Context): Promise<Response> {
  const body = await readBody(c, CompletionRequestSchema);
  const plan = planCompletion(ctx, c, body);
  if (plan.stream.isStream) {
    return respondStreaming(ctx, c, plan.handle, plan.spec, completionStreamHandlers(ctx, plan));
  }
  const result = await generateOnce(ctx, c, plan.handle, plan.spec);
  const usage = usageInfo(plan.promptTokens, result.completionTokens, result.cachedTokens, {
    hasDetails: ctx.args.enablePromptTokensDetails,
    dropNulls: false,
  });
  return c.json(completionResponse(plan.meta, result, plan.format, usage));
}

function planCompletion(ctx: SimServerContext, c: Context, body: CompletionRequest): CompletionPlan {
  const stream = checkCommonFields(ctx, body);
  const model = ctx.models.resolve(body.model);
  const kvTransfer = kvTransferIntent(ctx, body.kv_transfer_params);
  const n = body.n ?? 1;
  const prompts = completionPrompts(ctx, body.prompt, body.add_special_tokens ?? true, body.echo === true);
  if ((n > 1 || prompts.length > 1) && kvTransfer.kind !== "none") {
    throw badRequest("kv_transfer_params need a single prompt and n = 1", "kv_transfer_params");
  }
  const sequences = completionSequences(ctx, prompts, n, body.max_tokens ?? DEFAULT_COMPLETION_MAX_TOKENS);
  admitOrFail(ctx);
  const handle = ctx.pool.pick(c.req.header("x-data-parallel-rank"));
  const spec: GenerationSpec = {
    requestId: `cmpl-${baseRequestId(ctx, c, body)}`,
    n,
    sampling: samplingSpec(body, model.loraName, kvTransfer, body.logprobs ?? null),
    sequences,
  };
  const format: CompletionFormatOptions = {
    logprobs: body.logprobs ?? null,
    returnTokenIds: body.return_token_ids === true,
    echo: body.echo === true,
    prompts,
  };
  const meta = { id: spec.requestId, created: Math.floor(ctx.nowSeconds()), model: model.responseName };
  const promptTokens = prompts.reduce((sum, p) => sum + p.tokenIds.length, 0);
  return { spec, meta, format, stream, handle, promptTokens };
}

/** n choices per prompt, numbered prompt-major; max_tokens 0 (echo only) still generates one token. */
function completionSequences(
  ctx: SimServerContext,
  prompts: readonly CompletionPrompt[],
  n: number,
  requested: number,
): SequenceSpec[] {
  return prompts.flatMap((prompt, promptIndex) => {
    if (prompt.tokenIds.length === 0) throw badRequest("The prompt is empty.", "prompt");
    const maxTokens = resolveMaxTokens(ctx, prompt.tokenIds.length, Math.max(1, requested));
    return Array.from({ length: n }, (_, choice) => ({
      index: promptIndex * n + choice,
      choice,
      promptIndex,
      promptTokenIds: prompt.tokenIds,
      maxTokens,
    }));
  });
}

function completionStreamHandlers(ctx: SimServerContext, plan: CompletionPlan): StreamHandlers {
  const { meta, format, stream, spec } = plan;
  const state: CompletionChunkState = { textOffsets: new Map(), started: new Set() };
  return {
    onDeltas(writer, deltas) {
      for (const delta of deltas) {
        const promptIndex = Math.floor(delta.index / spec.n);
        const own = format.prompts[promptIndex]?.tokenIds.length ?? 0;
        const usage = stream.continuousUsage
          ? usageInfo(own, delta.completionTokens, 0, { hasDetails: false, dropNulls: true })
          : null;
        writer.send(completionChunk(meta, delta, promptIndex, format, state, usage));
      }
    },
    onDone(writer, result) {
      if (stream.includeUsage) {
        const usage = usageInfo(plan.promptTokens, result.completionTokens, result.cachedTokens, {
          hasDetails: ctx.args.enablePromptTokensDetails,
          dropNulls: true,
        });
        writer.send(completionUsageChunk(meta, usage));
      }
      writer.finish();
    },
  };
}
