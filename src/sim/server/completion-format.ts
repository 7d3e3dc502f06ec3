// Completions bodies shaped like vLLM's (completion/serving.py, protocol.py): text_completion chunks
// with every choice field set explicitly, a usage chunk without nulls, and the full response.
import type { ChoiceDelta, ChoiceResult, GenerationResult } from "./generation-types.ts";
import { completionLogprobs } from "./logprobs.ts";
import type { ResponseMeta } from "./usage.ts";

export interface CompletionFormatOptions {
  /** `logprobs` of the request, else null. */
  readonly logprobs: number | null;
  readonly returnTokenIds: boolean;
  readonly echo: boolean;
  /** Prompt ids and text per prompt index. */
  readonly prompts: readonly { readonly tokenIds: readonly number[]; readonly text: string }[];
}

export interface CompletionChunkState {
  /** Text offset per choice, for logprobs.text_offset. */
  readonly textOffsets: Map<number, number>;
  /** Choices whose first chunk went out (echo / prompt_token_ids ride on it). */
  readonly started: Set<number>;
}

export function completionChunk(
  meta: ResponseMeta,
  delta: ChoiceDelta,
  promptIndex: number,
  options: CompletionFormatOptions,
  state: CompletionChunkState,
  usage: Record<string, unknown> | null,
): string {
  const isFirst = !state.started.has(delta.index);
  state.started.add(delta.index);
  const prompt = options.prompts[promptIndex];
  const echo =
    isFirst && options.echo && prompt !== undefined ? (options.returnTokenIds ? "" : prompt.text) : "";
  const offset = state.textOffsets.get(delta.index) ?? 0;
  const text = echo + delta.text;
  state.textOffsets.set(delta.index, offset + text.length);
  const choice = {
    index: delta.index,
    text,
    logprobs:
      options.logprobs === null
        ? null
        : completionLogprobs(delta.logprobs, options.logprobs, offset + echo.length),
    finish_reason: delta.finishReason,
    stop_reason: delta.stopReason,
    prompt_token_ids: isFirst && options.returnTokenIds && prompt !== undefined ? prompt.tokenIds : null,
    token_ids: options.returnTokenIds ? delta.tokenIds : null,
  };
  return JSON.stringify({
    id: meta.id,
    object: "text_completion",
    created: meta.created,
    model: meta.model,
    choices: [choice],
    ...(usage === null ? {} : { usage }),
  });
}

export function completionUsageChunk(meta: ResponseMeta, usage: Record<string, unknown>): string {
  return JSON.stringify({
    id: meta.id,
    object: "text_completion",
    created: meta.created,
    model: meta.model,
    choices: [],
    usage,
  });
}

export function completionResponse(
  meta: ResponseMeta,
  result: GenerationResult,
  options: CompletionFormatOptions,
  usage: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: meta.id,
    object: "text_completion",
    created: meta.created,
    model: meta.model,
    choices: result.choices.map((choice) => completionChoice(choice, options)),
    service_tier: null,
    system_fingerprint: null,
    usage,
    kv_transfer_params: result.kvTransferParams,
  };
}

function completionChoice(choice: ChoiceResult, options: CompletionFormatOptions): Record<string, unknown> {
  const prompt = options.prompts[choice.promptIndex];
  const echo = options.echo && prompt !== undefined && !options.returnTokenIds ? prompt.text : "";
  return {
    index: choice.index,
    text: echo + choice.text,
    logprobs:
      options.logprobs === null ? null : completionLogprobs(choice.logprobs, options.logprobs, echo.length),
    finish_reason: choice.finishReason,
    stop_reason: choice.stopReason,
    token_ids: options.returnTokenIds ? choice.tokenIds : null,
    prompt_logprobs: null,
    prompt_token_ids: options.returnTokenIds && prompt !== undefined ? prompt.tokenIds : null,
  };
}
