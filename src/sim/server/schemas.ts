// zod schemas of the request bodies the sim reads (vLLM's protocol.py field names and defaults).
// Only the fields the sim uses are validated; unknown fields pass through, as vLLM's extra="allow".
import { z } from "zod";

const INT64_MAX = Number.MAX_SAFE_INTEGER;
const TokenId = z.int().min(0);

const StreamOptions = z.looseObject({
  include_usage: z.boolean().nullish(),
  continuous_usage_stats: z.boolean().nullish(),
});

const ChatContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

export const ChatMessageSchema = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ChatContentPart)]).nullish(),
});

/** Fields shared by chat and completions (sampling params and vLLM extras). */
const Common = {
  model: z.string().nullish(),
  n: z.int().min(1).max(128).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  stop_token_ids: z.array(TokenId).nullish(),
  ignore_eos: z.boolean().nullish(),
  min_tokens: z.int().min(0).nullish(),
  seed: z.int().min(-INT64_MAX).max(INT64_MAX).nullish(),
  stream: z.boolean().nullish(),
  stream_options: StreamOptions.nullish(),
  return_token_ids: z.boolean().nullish(),
  include_stop_str_in_output: z.boolean().nullish(),
  cache_salt: z.string().nullish(),
  priority: z.int().min(-INT64_MAX).max(INT64_MAX).nullish(),
  kv_transfer_params: z.record(z.string(), z.unknown()).nullish(),
  request_id: z.string().min(1).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
};

export const ChatCompletionRequestSchema = z.looseObject({
  ...Common,
  messages: z.array(ChatMessageSchema),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  add_generation_prompt: z.boolean().nullish(),
  continue_final_message: z.boolean().nullish(),
  add_special_tokens: z.boolean().nullish(),
  chat_template: z.string().nullish(),
  chat_template_kwargs: z.record(z.string(), z.unknown()).nullish(),
  tools: z.array(z.unknown()).nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** string | string[] | token ids | list of token-id lists. */
export const PromptSchema = z.union([
  z.string(),
  z.array(z.string()).min(1),
  z.array(TokenId).min(1),
  z.array(z.array(TokenId).min(1)).min(1),
]);

export const CompletionRequestSchema = z.looseObject({
  ...Common,
  prompt: PromptSchema,
  max_tokens: z.int().min(0).nullish(),
  logprobs: z.int().min(0).max(20).nullish(),
  echo: z.boolean().nullish(),
  add_special_tokens: z.boolean().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

const TokenizeCommon = {
  model: z.string().nullish(),
  return_token_strs: z.boolean().nullish(),
  add_special_tokens: z.boolean().nullish(),
};

export const TokenizeChatRequestSchema = z.looseObject({
  ...TokenizeCommon,
  messages: z.array(ChatMessageSchema),
  add_generation_prompt: z.boolean().nullish(),
  continue_final_message: z.boolean().nullish(),
  chat_template: z.string().nullish(),
  chat_template_kwargs: z.record(z.string(), z.unknown()).nullish(),
  tools: z.array(z.unknown()).nullish(),
});
export type TokenizeChatRequest = z.infer<typeof TokenizeChatRequestSchema>;

export const TokenizePromptRequestSchema = z.looseObject({ ...TokenizeCommon, prompt: z.string() });

/** vLLM's TokenizeRequest: a completion-style prompt or chat messages. */
export const TokenizeRequestSchema = z.union([TokenizeChatRequestSchema, TokenizePromptRequestSchema]);
export type TokenizeRequest = z.infer<typeof TokenizeRequestSchema>;

export const DetokenizeRequestSchema = z.looseObject({
  model: z.string().nullish(),
  tokens: z.array(TokenId),
});

export const EmbeddingRequestSchema = z.looseObject({
  model: z.string().nullish(),
  input: PromptSchema,
  dimensions: z.int().min(1).max(8192).nullish(),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  add_special_tokens: z.boolean().nullish(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequestSchema>;

const ResponseInputItem = z.looseObject({
  role: z.string().optional(),
  type: z.string().optional(),
  content: z.union([z.string(), z.array(ChatContentPart)]).nullish(),
});

export const ResponsesRequestSchema = z.looseObject({
  model: z.string().nullish(),
  input: z.union([z.string(), z.array(ResponseInputItem)]),
  instructions: z.string().nullish(),
  max_output_tokens: z.int().min(1).nullish(),
  stream: z.boolean().nullish(),
  request_id: z.string().min(1).nullish(),
  cache_salt: z.string().nullish(),
  priority: z.int().min(-INT64_MAX).max(INT64_MAX).nullish(),
  kv_transfer_params: z.record(z.string(), z.unknown()).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;
