// zod schemas of the request bodies the gateway accepts, and parseGenerationRequest: validate the fields the
// gateway reads or that would make an engine fail confusingly; every other field passes through untouched.
import { z } from "zod";
import { errorResponse } from "./errors.ts";
import { formatParamPath, requestIssueMessage } from "./issue-message.ts";
import {
  ChatMessagesSchema,
  ChatTemplateFields,
  JsonObject,
  PromptSchema,
  SamplingFields,
  TokenId,
  VllmExtraFields,
} from "./request-fields.ts";

export const ChatCompletionRequestSchema = z
  .looseObject({
    messages: ChatMessagesSchema,
    ...SamplingFields,
    ...ChatTemplateFields,
    max_tokens: z.int().min(1).nullish(),
    max_completion_tokens: z.int().min(1).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.int().min(0).nullish(),
    tool_choice: z.union([z.string(), JsonObject]).describe("a string or an object").nullish(),
    parallel_tool_calls: z.boolean().nullish(),
  })
  .superRefine(checkStreamOptions);

/** max_tokens 0 is allowed here: vLLM's echo-without-generation (completion/protocol.py). */
export const CompletionRequestSchema = z
  .looseObject({
    prompt: PromptSchema.nullish(),
    ...SamplingFields,
    max_tokens: z.int().min(0).nullish(),
    logprobs: z.int().min(0).nullish(),
    echo: z.boolean().nullish(),
    suffix: z.string().nullish(),
  })
  .superRefine((body, context) => {
    // vLLM: "Either prompt or prompt_embeds must be provided".
    if (body.prompt == null && body.prompt_embeds == null) requireField(context, "prompt");
    checkStreamOptions(body, context);
  });

/** vLLM's EmbeddingCompletionRequest (input) or EmbeddingChatRequest (messages). */
export const EmbeddingRequestSchema = z
  .looseObject({
    ...ChatTemplateFields,
    model: z.string().nullish(),
    user: z.string().nullish(),
    input: PromptSchema.nullish(),
    messages: ChatMessagesSchema.nullish(),
    dimensions: z.int().min(1).nullish(),
    encoding_format: z.string().nullish(),
    priority: z.int().nullish(),
    cache_salt: z.string().min(1).nullish(),
  })
  .superRefine((body, context) => {
    if (body.input == null && body.messages == null) requireField(context, "input");
  });

const ResponseInputItem = z.looseObject({ role: z.string().optional(), type: z.string().optional() });

export const ResponsesRequestSchema = z.looseObject({
  ...VllmExtraFields,
  input: z.union([z.string(), z.array(ResponseInputItem)]).describe("a string or an array of input items"),
  instructions: z.string().nullish(),
  max_output_tokens: z.int().min(1).nullish(),
  previous_response_id: z.string().nullish(),
  tools: z.array(z.unknown()).nullish(),
});

const AnthropicBlocks = z.array(z.looseObject({ type: z.string() }));

/** Anthropic's Messages API as vLLM serves it (entrypoints/anthropic/protocol.py). */
export const AnthropicMessagesRequestSchema = z.looseObject({
  ...VllmExtraFields,
  model: z.string().min(1),
  max_tokens: z.int().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(["user", "assistant"]),
        content: z.union([z.string(), AnthropicBlocks]).describe("a string or an array of content blocks"),
      }),
    )
    .min(1),
  system: z.union([z.string(), AnthropicBlocks]).describe("a string or an array of text blocks").nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: JsonObject.nullish(),
});

/** vLLM's TokenizeRequest: a completion-style `prompt` string or chat `messages`. */
export const TokenizeRequestSchema = z
  .looseObject({
    ...ChatTemplateFields,
    model: z.string().nullish(),
    prompt: z.string().nullish(),
    messages: ChatMessagesSchema.nullish(),
    add_special_tokens: z.boolean().nullish(),
    return_token_strs: z.boolean().nullish(),
  })
  .superRefine((body, context) => {
    if (body.prompt == null && body.messages == null) {
      context.addIssue({
        code: "custom",
        path: ["prompt"],
        message: "Missing required parameter: either 'prompt' or 'messages' must be provided.",
      });
    }
  });

export const DetokenizeRequestSchema = z.looseObject({
  model: z.string().nullish(),
  tokens: z.array(TokenId),
});

export type RequestRoute =
  | "chat"
  | "completions"
  | "embeddings"
  | "responses"
  | "messages"
  | "tokenize"
  | "detokenize";

const SCHEMA_BY_ROUTE: Readonly<Record<RequestRoute, z.ZodType<Record<string, unknown>>>> = {
  chat: ChatCompletionRequestSchema,
  completions: CompletionRequestSchema,
  embeddings: EmbeddingRequestSchema,
  responses: ResponsesRequestSchema,
  messages: AnthropicMessagesRequestSchema,
  tokenize: TokenizeRequestSchema,
  detokenize: DetokenizeRequestSchema,
};

/** Routes whose `stream_options.include_usage` decides whether the client sees the usage chunk. */
const USAGE_CHUNK_ROUTES: ReadonlySet<RequestRoute> = new Set(["chat", "completions"]);
const STREAMING_ROUTES: ReadonlySet<RequestRoute> = new Set(["chat", "completions", "responses", "messages"]);

export interface ParsedRequest {
  /** The requested model; null when absent or empty (vLLM then uses its base model). */
  readonly model: string | null;
  readonly isStreaming: boolean;
  /** false: the client did not ask for the final usage chunk, so the proxy drops the one it injects. */
  readonly clientWantsUsage: boolean;
  /** The client's object itself, unchanged: unknown fields included. */
  readonly body: Record<string, unknown>;
}

export type ParseRequestResult =
  | { readonly ok: true; readonly request: ParsedRequest }
  | { readonly ok: false; readonly response: Response };

export interface ParseRequestOptions {
  /** gateway.allow_client_kv_transfer_params. */
  readonly allowKvTransferParams: boolean;
  readonly requestId?: string;
}

/** Validates `body` for `route`; the first problem becomes a 400 naming the field as `param`. */
export function parseGenerationRequest(
  route: RequestRoute,
  body: Record<string, unknown>,
  options: ParseRequestOptions,
): ParseRequestResult {
  const responseOptions = options.requestId === undefined ? {} : { requestId: options.requestId };
  if (body.kv_transfer_params != null && !options.allowKvTransferParams) {
    return {
      ok: false,
      response: errorResponse("gateway_kv_transfer_params_forbidden", {
        ...responseOptions,
        param: "kv_transfer_params",
      }),
    };
  }
  const parsed = SCHEMA_BY_ROUTE[route].safeParse(body, { error: requestIssueMessage });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      response: errorResponse("gateway_invalid_request", {
        ...responseOptions,
        param: issue === undefined ? null : formatParamPath(issue.path),
        detail: issue?.message ?? "The request body is invalid.",
      }),
    };
  }
  return { ok: true, request: describeRequest(route, body) };
}

function describeRequest(route: RequestRoute, body: Record<string, unknown>): ParsedRequest {
  const isStreaming = STREAMING_ROUTES.has(route) && body.stream === true;
  const options = body.stream_options;
  const asksForUsage =
    typeof options === "object" &&
    options !== null &&
    "include_usage" in options &&
    options.include_usage === true;
  return {
    model: typeof body.model === "string" && body.model !== "" ? body.model : null,
    isStreaming,
    clientWantsUsage: !(isStreaming && USAGE_CHUNK_ROUTES.has(route)) || asksForUsage,
    body,
  };
}

function requireField(context: z.RefinementCtx, field: string): void {
  context.addIssue({ code: "custom", path: [field], message: `Missing required parameter: '${field}'.` });
}

/** vLLM tests `data.get("stream_options") and not data.get("stream")`: null and {} pass, as there. */
function checkStreamOptions(body: Record<string, unknown>, context: z.RefinementCtx): void {
  const value = body.stream_options;
  const isSet = value != null && (typeof value !== "object" || Object.keys(value).length > 0);
  if (isSet && body.stream !== true) {
    context.addIssue({
      code: "custom",
      path: ["stream_options"],
      message: "Invalid value for 'stream_options': stream options can only be defined when `stream=true`.",
    });
  }
}
