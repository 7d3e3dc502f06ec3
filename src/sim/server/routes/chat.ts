// POST /v1/chat/completions: the chat template renders the messages, the engine generates, and the
// reply streams as vLLM's chat.completion.chunk events or returns as one chat.completion.
import type { Context, Hono } from "hono";
import type { ChatRenderOptions } from "../../../kvcache/index.ts";
import {
  type ChatFormatOptions,
  chatDeltaChunk,
  chatResponse,
  chatRoleChunk,
  chatUsageChunk,
} from "../chat-format.ts";
import type { SimEngineHandle, SimServerContext } from "../context.ts";
import { badRequest } from "../errors.ts";
import type { GenerationSpec } from "../generation-types.ts";
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
import { type ChatCompletionRequest, ChatCompletionRequestSchema } from "../schemas.ts";
import { type ResponseMeta, usageInfo } from "../usage.ts";

export function registerChatRoutes(app: Hono, ctx: SimServerContext): void {
  app.post("/v1/chat/completions", (c) => chatCompletions(ctx, c));
}

/** The prompt ids of a chat request, rendered as vLLM renders it. */
export function chatPromptTokenIds(ctx: SimServerContext, body: ChatCompletionRequest): number[] {
  const options: ChatRenderOptions = {
    addGenerationPrompt: body.add_generation_prompt ?? true,
    continueFinalMessage: body.continue_final_message ?? false,
    tools: body.tools ?? null,
    chatTemplate: body.chat_template ?? null,
    chatTemplateKwargs: body.chat_template_kwargs ?? null,
  };
  return tokenizeOrFail(() =>
    body.add_special_tokens === true
      ? ctx.tokenizer.encode(ctx.tokenizer.renderChat(body.messages, options), true)
      : ctx.tokenizer.encodeChat(body.messages, options),
  );
}

/** A validated chat request, ready to run. */
interface ChatPlan {
  readonly spec: GenerationSpec;
  readonly meta: ResponseMeta;
  readonly format: ChatFormatOptions;
  readonly stream: StreamSettings;
  readonly promptTokenIds: readonly number[];
  readonly handle: SimEngineHandle;
}

async function chatCompletions(ctx: SimServerContext, c: Context): Promise<Response> {
  const body = await readBody(c, ChatCompletionRequestSchema);
  const plan = planChat(ctx, c, body);
  if (plan.stream.isStream)
    return respondStreaming(ctx, c, plan.handle, plan.spec, chatStreamHandlers(ctx, plan));
  const result = await generateOnce(ctx, c, plan.handle, plan.spec);
  const usage = chatUsage(ctx, plan, result.completionTokens, result.cachedTokens, false);
  return c.json(
    chatResponse(plan.meta, result, { ...plan.format, promptTokenIds: plan.promptTokenIds }, usage),
  );
}

function planChat(ctx: SimServerContext, c: Context, body: ChatCompletionRequest): ChatPlan {
  const stream = checkCommonFields(ctx, body);
  const model = ctx.models.resolve(body.model);
  const kvTransfer = kvTransferIntent(ctx, body.kv_transfer_params);
  const n = body.n ?? 1;
  if (n > 1 && kvTransfer.kind !== "none")
    throw badRequest("n > 1 is not supported with kv_transfer_params", "n");
  const promptTokenIds = chatPromptTokenIds(ctx, body);
  const requested = body.max_completion_tokens ?? body.max_tokens ?? null;
  const maxTokens = resolveMaxTokens(ctx, promptTokenIds.length, requested);
  admitOrFail(ctx);
  const handle = ctx.pool.pick(c.req.header("x-data-parallel-rank"));
  const topLogprobs = body.logprobs === true ? (body.top_logprobs ?? 0) : null;
  const spec: GenerationSpec = {
    requestId: `chatcmpl-${baseRequestId(ctx, c, body)}`,
    n,
    sampling: samplingSpec(body, model.loraName, kvTransfer, topLogprobs),
    sequences: Array.from({ length: n }, (_, i) => ({
      index: i,
      choice: i,
      promptIndex: 0,
      promptTokenIds,
      maxTokens,
    })),
  };
  const meta = { id: spec.requestId, created: Math.floor(ctx.nowSeconds()), model: model.responseName };
  const format = { topLogprobs, returnTokenIds: body.return_token_ids === true };
  return { spec, meta, format, stream, promptTokenIds, handle };
}

function chatUsage(
  ctx: SimServerContext,
  plan: ChatPlan,
  completionTokens: number,
  cachedTokens: number,
  dropNulls: boolean,
): Record<string, unknown> {
  const hasDetails = ctx.args.enablePromptTokensDetails;
  return usageInfo(plan.promptTokenIds.length, completionTokens, cachedTokens, { hasDetails, dropNulls });
}

/** vLLM's chat stream: a role chunk per choice at the first output, a chunk per step, usage, [DONE]. */
function chatStreamHandlers(ctx: SimServerContext, plan: ChatPlan): StreamHandlers {
  const { meta, format, stream } = plan;
  let isFirst = true;
  return {
    onDeltas(writer, deltas) {
      if (isFirst) {
        isFirst = false;
        const usage = stream.continuousUsage ? chatUsage(ctx, plan, 0, 0, true) : null;
        const promptIds = format.returnTokenIds ? plan.promptTokenIds : null;
        for (let i = 0; i < plan.spec.n; i++) writer.send(chatRoleChunk(meta, i, promptIds, usage));
      }
      for (const delta of deltas) {
        const usage = stream.continuousUsage ? chatUsage(ctx, plan, delta.completionTokens, 0, true) : null;
        writer.send(chatDeltaChunk(meta, delta, format, usage));
      }
    },
    onDone(writer, result) {
      if (stream.includeUsage) {
        writer.send(
          chatUsageChunk(meta, chatUsage(ctx, plan, result.completionTokens, result.cachedTokens, true)),
        );
      }
      writer.finish();
    },
  };
}
