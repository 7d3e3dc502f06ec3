// zod schemas of the request fields shared by several routes: prompts, chat messages, sampling parameters
// and vLLM's extras. Bounds follow vLLM (vllm/sampling_params.py _verify_args; openai/*/protocol.py).
import { z } from "zod";

// z.int() accepts only safe integers: a larger one already lost precision in JSON.parse, so forwarding it
// would silently send the engine a different number.
export const TokenId = z.int().min(0);

export const PromptSchema = z
  .union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(TokenId).min(1),
    z.array(z.array(TokenId).min(1)).min(1),
  ])
  .describe(
    "a string, an array of strings, an array of token ids or an array of token-id arrays (token ids are integers >= 0)",
  );

export const StopSchema = z
  .union([z.string(), z.array(z.string())])
  .describe("a string or an array of strings");

/** vLLM also takes bare strings as parts (chat_utils.ChatCompletionContentPartParam). */
const ContentPart = z
  .union([z.string(), z.looseObject({ type: z.string().optional() })])
  .describe("a string or a content part object");

export const MessageContentSchema = z
  .union([z.string(), z.array(ContentPart)])
  .describe("a string or an array of content parts");

export const ChatMessageSchema = z.looseObject({
  role: z.string(),
  content: MessageContentSchema.nullish(),
});

export const ChatMessagesSchema = z.array(ChatMessageSchema).min(1);

export const JsonObject = z.record(z.string(), z.unknown());

export const StreamOptionsSchema = z.looseObject({
  include_usage: z.boolean().nullish(),
  continuous_usage_stats: z.boolean().nullish(),
});

/** vLLM's extras on every generation route (engine/protocol.py). */
export const VllmExtraFields = {
  model: z.string().nullish(),
  user: z.string().nullish(),
  request_id: z.string().min(1).nullish(),
  priority: z.int().nullish(),
  // vLLM: "Parameter 'cache_salt' must be a non-empty string if provided."
  cache_salt: z.string().min(1).nullish(),
  kv_transfer_params: JsonObject.nullish(),
  return_token_ids: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  // vLLM accepts any temperature >= 0 where OpenAI caps it at 2; the engine's rule wins for a drop-in.
  temperature: z.number().min(0).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.int().nullish(),
  metadata: JsonObject.nullish(),
};

/** Sampling fields of chat and completions. */
export const SamplingFields = {
  ...VllmExtraFields,
  stream_options: StreamOptionsSchema.nullish(),
  n: z.int().min(1).nullish(),
  seed: z.int().nullish(),
  stop: StopSchema.nullish(),
  stop_token_ids: z.array(TokenId).nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  repetition_penalty: z.number().gt(0).nullish(),
  min_tokens: z.int().min(0).nullish(),
  ignore_eos: z.boolean().nullish(),
  logit_bias: JsonObject.nullish(),
  response_format: JsonObject.nullish(),
};

/** Fields of chat-template rendering, shared by chat, tokenize and chat-style embeddings. */
export const ChatTemplateFields = {
  tools: z.array(z.unknown()).nullish(),
  chat_template: z.string().nullish(),
  chat_template_kwargs: JsonObject.nullish(),
  add_generation_prompt: z.boolean().nullish(),
  continue_final_message: z.boolean().nullish(),
};
