// What one parsed SSE `data:` payload means for accounting: a content token, the usage-only chunk
// vLLM sends for stream_options.include_usage, or anything else (role, finish, tool metadata).

import type { UpstreamUsage } from "./types.ts";
import { isJsonObject, mergeUsage } from "./upstream-usage.ts";

export type SseEventKind = "content" | "usage-only" | "other";

/**
 * Chat/completions: a choice carries generated text, reasoning, tool calls or token ids (the
 * role-only first chunk and the finish chunk do not count). Responses API: a `response.*.delta`.
 * Anthropic Messages: a `content_block_delta`.
 */
export function classifySseEvent(value: unknown): SseEventKind {
  if (!isJsonObject(value)) return "other";
  const choices = value.choices;
  if (Array.isArray(choices)) {
    // vLLM's include_usage chunk: `"choices": []` plus `usage` (vllm/entrypoints/openai/serving_chat.py).
    if (choices.length === 0) return isJsonObject(value.usage) ? "usage-only" : "other";
    for (const choice of choices) if (isContentChoice(choice)) return "content";
    return "other";
  }
  const type = value.type;
  if (typeof type !== "string") return "other";
  if (type === "content_block_delta") return "content";
  return type.startsWith("response.") && type.endsWith(".delta") && isNonEmptyString(value.delta)
    ? "content"
    : "other";
}

/** Folds the usage an event carries (any of the three API shapes) over `previous`. */
export function usageOfEvent(value: unknown, previous: UpstreamUsage | null): UpstreamUsage | null {
  if (!isJsonObject(value)) return previous;
  let usage = mergeUsage(previous, value.usage);
  // Responses API: `response.completed` carries `response.usage`; Anthropic: `message_start` carries `message.usage`.
  if (isJsonObject(value.response)) usage = mergeUsage(usage, value.response.usage);
  if (isJsonObject(value.message)) usage = mergeUsage(usage, value.message.usage);
  return usage;
}

function isContentChoice(choice: unknown): boolean {
  if (!isJsonObject(choice)) return false;
  if (isNonEmptyString(choice.text) || isNonEmptyArray(choice.token_ids)) return true;
  const delta = choice.delta;
  if (!isJsonObject(delta)) return false;
  return (
    isNonEmptyString(delta.content) ||
    isNonEmptyString(delta.reasoning_content) ||
    isNonEmptyString(delta.reasoning) ||
    isNonEmptyArray(delta.tool_calls)
  );
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === "string" && value.length > 0;
}

function isNonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
