// Usage of a disaggregated request, as llm-d's sidecar reports it (cached_tokens_usage_rewriter.go): the
// decode engine pulled the prompt's KV, so its cached count says "transferred", not "prefix-cache hit";
// the prefill engine's cached count replaces it, and its prompt count fills in when decode reports none.
import type { LegUsage } from "./types.ts";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/** The usage of a complete response: chat/completions (`usage`) or Responses (`usage` with input_tokens). */
export function legUsageOf(response: unknown): LegUsage | null {
  if (!isObject(response) || !isObject(response.usage)) return null;
  const usage = response.usage;
  const prompt = count(usage.prompt_tokens) ?? count(usage.input_tokens);
  const completion = count(usage.completion_tokens) ?? count(usage.output_tokens);
  if (prompt === null && completion === null) return null;
  // llm-d: vLLM sends prompt_tokens_details null when nothing was cached, so a missing count is 0.
  const details = detailsOf(usage);
  return {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    cachedTokens: (details === null ? null : count(details.cached_tokens)) ?? 0,
  };
}

/** The counts the gateway records for a disaggregated request. */
export function mergeLegUsage(prefill: LegUsage, decode: LegUsage): LegUsage {
  return {
    promptTokens: decode.promptTokens > 0 ? decode.promptTokens : prefill.promptTokens,
    completionTokens: decode.completionTokens,
    cachedTokens: prefill.cachedTokens,
  };
}

/**
 * Rewrites the usage inside one decode response or stream event, in place: top-level `usage`
 * (chat/completions), or `response.usage` (Responses API events). Returns whether anything changed.
 */
export function rewriteUsageIn(value: unknown, prefill: LegUsage): boolean {
  if (!isObject(value)) return false;
  if (isObject(value.usage)) return rewriteUsageObject(value.usage, prefill);
  if (isObject(value.response) && isObject(value.response.usage)) {
    return rewriteUsageObject(value.response.usage, prefill);
  }
  return false;
}

function rewriteUsageObject(usage: JsonObject, prefill: LegUsage): boolean {
  const isResponses = usage.input_tokens !== undefined || usage.prompt_tokens === undefined;
  const promptField = isResponses ? "input_tokens" : "prompt_tokens";
  const detailsField = isResponses ? "input_tokens_details" : "prompt_tokens_details";
  let isChanged = false;
  if ((count(usage[promptField]) ?? 0) === 0 && prefill.promptTokens > 0) {
    usage[promptField] = prefill.promptTokens;
    const completion = count(usage[isResponses ? "output_tokens" : "completion_tokens"]) ?? 0;
    if (usage.total_tokens !== undefined) usage.total_tokens = prefill.promptTokens + completion;
    isChanged = true;
  }
  const details = usage[detailsField];
  if (isObject(details)) {
    if (details.cached_tokens !== prefill.cachedTokens) {
      details.cached_tokens = prefill.cachedTokens;
      isChanged = true;
    }
  } else if (prefill.cachedTokens > 0) {
    // llm-d creates the standard field when the decode chunk omits it.
    usage[detailsField] = { cached_tokens: prefill.cachedTokens };
    isChanged = true;
  }
  return isChanged;
}

function detailsOf(usage: JsonObject): JsonObject | null {
  if (isObject(usage.prompt_tokens_details)) return usage.prompt_tokens_details;
  if (isObject(usage.input_tokens_details)) return usage.input_tokens_details;
  return null;
}
