// Reads token usage out of engine responses: OpenAI chat/completions/embeddings (`prompt_tokens`,
// `completion_tokens`, `prompt_tokens_details.cached_tokens`) and the Responses / Anthropic Messages
// shapes (`input_tokens`, `output_tokens`, `input_tokens_details.cached_tokens`, `cache_read_input_tokens`).
import type { UpstreamUsage } from "./types.ts";

type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merges the counts present in `raw` (a `usage` object) over `previous`; a field the engine did not
 * send keeps its earlier value (Anthropic streams send input tokens first, output tokens last).
 * Returns `previous` when `raw` carries no counts.
 */
export function mergeUsage(previous: UpstreamUsage | null, raw: unknown): UpstreamUsage | null {
  if (!isJsonObject(raw)) return previous;
  const prompt = count(raw.prompt_tokens) ?? count(raw.input_tokens);
  const completion = count(raw.completion_tokens) ?? count(raw.output_tokens);
  const cached = cachedTokens(raw);
  if (prompt === null && completion === null && cached === null) return previous;
  return {
    promptTokens: prompt ?? previous?.promptTokens ?? 0,
    completionTokens: completion ?? previous?.completionTokens ?? 0,
    cachedTokens: cached ?? previous?.cachedTokens ?? 0,
  };
}

/** Usage of a complete (non-streaming) JSON response body: `usage` at the top level. */
export function usageOfBody(body: unknown): UpstreamUsage | null {
  return isJsonObject(body) ? mergeUsage(null, body.usage) : null;
}

function cachedTokens(raw: JsonObject): number | null {
  const details = isJsonObject(raw.prompt_tokens_details)
    ? raw.prompt_tokens_details
    : isJsonObject(raw.input_tokens_details)
      ? raw.input_tokens_details
      : null;
  return (details === null ? null : count(details.cached_tokens)) ?? count(raw.cache_read_input_tokens);
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}
