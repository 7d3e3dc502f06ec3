// Chat completion bodies byte-shaped like vLLM's: chunks dumped with exclude_unset (only the fields
// vLLM sets), full responses with every field (chat_completion/serving.py, protocol.py).
import type { ChoiceDelta, GenerationResult } from "./generation-types.ts";
import { chatLogprobEntry, type TokenLogprob } from "./logprobs.ts";
import type { ResponseMeta } from "./usage.ts";

export interface ChatFormatOptions {
  /** top_logprobs when the request asked for logprobs, else null. */
  readonly topLogprobs: number | null;
  readonly returnTokenIds: boolean;
}

function chunk(meta: ResponseMeta, choices: readonly unknown[], extra?: Record<string, unknown>): string {
  return JSON.stringify({
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    choices,
    ...extra,
  });
}

/** The first chunk of each choice: role "assistant", empty content; prompt_token_ids is set explicitly. */
export function chatRoleChunk(
  meta: ResponseMeta,
  index: number,
  promptTokenIds: readonly number[] | null,
  usage: Record<string, unknown> | null,
): string {
  const choice = { index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null };
  return chunk(meta, [choice], { ...(usage === null ? {} : { usage }), prompt_token_ids: promptTokenIds });
}

export function chatDeltaChunk(
  meta: ResponseMeta,
  delta: ChoiceDelta,
  options: ChatFormatOptions,
  usage: Record<string, unknown> | null,
): string {
  const choice: Record<string, unknown> = {
    index: delta.index,
    delta: { content: delta.text },
    logprobs: chatLogprobs(delta.logprobs, options.topLogprobs),
    finish_reason: delta.finishReason,
  };
  if (delta.finishReason !== null) choice.stop_reason = delta.stopReason;
  choice.token_ids = options.returnTokenIds ? delta.tokenIds : null;
  return chunk(meta, [choice], usage === null ? undefined : { usage });
}

/** The trailing usage chunk: empty choices (exclude_none drops nulls). */
export function chatUsageChunk(meta: ResponseMeta, usage: Record<string, unknown>): string {
  return chunk(meta, [], { usage });
}

export function chatResponse(
  meta: ResponseMeta,
  result: GenerationResult,
  options: ChatFormatOptions & { readonly promptTokenIds: readonly number[] },
  usage: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: result.choices.map((choice) => ({
      index: choice.index,
      message: {
        role: "assistant",
        content: choice.text,
        refusal: null,
        annotations: null,
        audio: null,
        function_call: null,
        reasoning: null,
      },
      logprobs: chatLogprobs(choice.logprobs, options.topLogprobs),
      finish_reason: choice.finishReason,
      stop_reason: choice.stopReason,
      token_ids: options.returnTokenIds ? choice.tokenIds : null,
    })),
    service_tier: null,
    system_fingerprint: null,
    usage,
    prompt_logprobs: null,
    prompt_token_ids: options.returnTokenIds ? options.promptTokenIds : null,
    kv_transfer_params: result.kvTransferParams,
  };
}

function chatLogprobs(
  entries: readonly TokenLogprob[],
  topLogprobs: number | null,
): Record<string, unknown> | null {
  if (topLogprobs === null) return null;
  return { content: entries.map((entry) => chatLogprobEntry(entry, topLogprobs)) };
}
