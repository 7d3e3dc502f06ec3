// /tokenize, /detokenize and the render routes (/v1/chat/completions/render, /v1/completions/render):
// the prompt ids exactly as generation would see them, without generating.
import type { Context, Hono } from "hono";
import type { SimServerContext } from "../context.ts";
import { readBody, tokenizeOrFail } from "../request-common.ts";
import {
  ChatCompletionRequestSchema,
  CompletionRequestSchema,
  DetokenizeRequestSchema,
  type TokenizeChatRequest,
  type TokenizeRequest,
  TokenizeRequestSchema,
} from "../schemas.ts";
import { chatPromptTokenIds } from "./chat.ts";
import { completionPrompts } from "./completions.ts";

export function registerTokenizeRoutes(app: Hono, ctx: SimServerContext): void {
  app.post("/tokenize", (c) => tokenize(ctx, c));
  app.post("/detokenize", (c) => detokenize(ctx, c));
  app.post("/v1/chat/completions/render", (c) => renderChat(ctx, c));
  app.post("/v1/completions/render", (c) => renderCompletions(ctx, c));
}

async function tokenize(ctx: SimServerContext, c: Context): Promise<Response> {
  const body = await readBody(c, TokenizeRequestSchema);
  ctx.models.resolve(body.model);
  const tokens = tokenizeOrFail(() => {
    if (isChat(body)) {
      const text = ctx.tokenizer.renderChat(body.messages, {
        addGenerationPrompt: body.add_generation_prompt ?? true,
        continueFinalMessage: body.continue_final_message ?? false,
        tools: body.tools ?? null,
        chatTemplate: body.chat_template ?? null,
        chatTemplateKwargs: body.chat_template_kwargs ?? null,
      });
      return ctx.tokenizer.encode(text, body.add_special_tokens ?? false);
    }
    return ctx.tokenizer.encode(body.prompt, body.add_special_tokens ?? true);
  });
  const tokenStrs = body.return_token_strs === true ? tokens.map((id) => ctx.tokenizer.decode([id])) : null;
  return c.json({ count: tokens.length, max_model_len: ctx.maxModelLen, tokens, token_strs: tokenStrs });
}

function isChat(body: TokenizeRequest): body is TokenizeChatRequest {
  return Array.isArray(body.messages);
}

async function detokenize(ctx: SimServerContext, c: Context): Promise<Response> {
  const body = await readBody(c, DetokenizeRequestSchema);
  ctx.models.resolve(body.model);
  return c.json({ prompt: tokenizeOrFail(() => ctx.tokenizer.decode(body.tokens)) });
}

interface RenderFields {
  readonly request_id?: string | null | undefined;
  readonly cache_salt?: string | null | undefined;
  readonly priority?: number | null | undefined;
  readonly kv_transfer_params?: Record<string, unknown> | null | undefined;
  readonly n?: number | null | undefined;
  readonly stop?: string | string[] | null | undefined;
  readonly stop_token_ids?: number[] | null | undefined;
  readonly min_tokens?: number | null | undefined;
  readonly ignore_eos?: boolean | null | undefined;
  readonly seed?: number | null | undefined;
}

/** vLLM's GenerateRequest shape, the token-in form of a request. */
function generateRequest(
  ctx: SimServerContext,
  body: RenderFields,
  model: string,
  tokenIds: readonly number[],
  maxTokens: number | null,
): Record<string, unknown> {
  const stop = body.stop == null ? [] : typeof body.stop === "string" ? [body.stop] : body.stop;
  return {
    request_id: body.request_id ?? ctx.newId(),
    token_ids: tokenIds,
    features: null,
    sampling_params: {
      n: body.n ?? 1,
      max_tokens: maxTokens,
      min_tokens: body.min_tokens ?? 0,
      stop,
      stop_token_ids: body.stop_token_ids ?? [],
      ignore_eos: body.ignore_eos ?? false,
      seed: body.seed ?? null,
    },
    model,
    stream: false,
    stream_options: null,
    cache_salt: body.cache_salt ?? null,
    priority: body.priority ?? 0,
    kv_transfer_params: body.kv_transfer_params ?? null,
  };
}

async function renderChat(ctx: SimServerContext, c: Context): Promise<Response> {
  const body = await readBody(c, ChatCompletionRequestSchema);
  const model = ctx.models.resolve(body.model);
  const tokenIds = chatPromptTokenIds(ctx, body);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? null;
  return c.json(generateRequest(ctx, body, model.responseName, tokenIds, maxTokens));
}

async function renderCompletions(ctx: SimServerContext, c: Context): Promise<Response> {
  const body = await readBody(c, CompletionRequestSchema);
  const model = ctx.models.resolve(body.model);
  const prompts = completionPrompts(ctx, body.prompt, body.add_special_tokens ?? true);
  return c.json(
    prompts.map((prompt) =>
      generateRequest(ctx, body, model.responseName, prompt.tokenIds, body.max_tokens ?? 16),
    ),
  );
}
