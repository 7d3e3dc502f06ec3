// What vLLM will tokenize for an OpenAI request, and how: the chat template with the request's options
// and add_special_tokens false by default (ChatCompletionRequest), or the completion prompt with
// add_special_tokens true by default (CompletionRequest); token-id prompts are taken as they are.
import { hashBlockChain, toWireInt } from "./block-hash.ts";
import type { BlockHashContext, BlockHasher } from "./block-hash-types.ts";
import type { ChatMessage, ChatRenderOptions, PromptTokenizer } from "./tokenize/types.ts";

/** A request's prompt in a form that can cross to a worker (structured-clonable). */
export type PromptSpec =
  | {
      readonly kind: "chat";
      readonly messages: readonly ChatMessage[];
      readonly options: ChatRenderOptions;
      readonly addSpecialTokens: boolean;
    }
  | { readonly kind: "text"; readonly text: string; readonly addSpecialTokens: boolean }
  | { readonly kind: "tokens"; readonly tokens: readonly number[] };

export type RequestKind = "chat" | "completion";

/** The prompt of `body`, or null when it has none this module can reproduce (e.g. prompt_embeds). */
export function promptOf(kind: RequestKind, body: Readonly<Record<string, unknown>>): PromptSpec | null {
  if (kind === "chat") {
    if (!Array.isArray(body.messages)) return null;
    return {
      kind: "chat",
      messages: body.messages as ChatMessage[],
      options: {
        addGenerationPrompt: booleanOr(body.add_generation_prompt, true),
        continueFinalMessage: booleanOr(body.continue_final_message, false),
        tools: Array.isArray(body.tools) ? body.tools : null,
        chatTemplate: typeof body.chat_template === "string" ? body.chat_template : null,
        chatTemplateKwargs: isRecord(body.chat_template_kwargs) ? body.chat_template_kwargs : null,
      },
      addSpecialTokens: booleanOr(body.add_special_tokens, false),
    };
  }
  if (body.prompt_embeds !== undefined && body.prompt_embeds !== null) return null;
  // A list of prompts becomes one engine request each; the routing decision follows the first.
  const prompt = Array.isArray(body.prompt) && !isTokenList(body.prompt) ? body.prompt[0] : body.prompt;
  const addSpecialTokens = booleanOr(body.add_special_tokens, true);
  if (typeof prompt === "string") return { kind: "text", text: prompt, addSpecialTokens };
  if (Array.isArray(prompt) && isTokenList(prompt)) return { kind: "tokens", tokens: prompt };
  return null;
}

/** Characters the tokenizer will see (chat: message contents only, the template adds little). */
export function promptChars(prompt: PromptSpec): number {
  switch (prompt.kind) {
    case "text":
      return prompt.text.length;
    case "tokens":
      return 0;
    case "chat": {
      let chars = 0;
      for (const message of prompt.messages) chars += contentChars(message.content);
      return chars;
    }
  }
}

/** Token ids of `prompt` exactly as vLLM computes them. Throws TokenizeError on a template or encode failure. */
export function tokenizePrompt(tokenizer: PromptTokenizer, prompt: PromptSpec): readonly number[] {
  switch (prompt.kind) {
    case "tokens":
      return prompt.tokens;
    case "text":
      return tokenizer.encode(prompt.text, prompt.addSpecialTokens);
    case "chat":
      return prompt.addSpecialTokens
        ? tokenizer.encode(tokenizer.renderChat(prompt.messages, prompt.options), true)
        : tokenizer.encodeChat(prompt.messages, prompt.options);
  }
}

/** vLLM's event-form hash (low 64 bits) of every full block of `tokens`. */
export function blockKeysOf(
  hasher: BlockHasher,
  tokens: ArrayLike<number>,
  blockSize: number,
  context: BlockHashContext,
): BigUint64Array {
  const digests = hashBlockChain(hasher, tokens, blockSize, context);
  const keys = new BigUint64Array(digests.length);
  for (let block = 0; block < digests.length; block++) keys[block] = toWireInt(digests[block]!);
  return keys;
}

/** The hash context of a request: LoRA name on every block, cache_salt on the first (§2.3). */
export function hashContextOf(
  body: Readonly<Record<string, unknown>>,
  loraName: string | null,
): BlockHashContext {
  return { loraName, cacheSalt: typeof body.cache_salt === "string" ? body.cache_salt : null };
}

function contentChars(content: ChatMessage["content"]): number {
  if (typeof content === "string") return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const part of content) if (typeof part.text === "string") chars += part.text.length;
  return chars;
}

function isTokenList(value: readonly unknown[]): value is number[] {
  return value.length > 0 && value.every((item) => Number.isSafeInteger(item) && (item as number) >= 0);
}

function booleanOr(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
