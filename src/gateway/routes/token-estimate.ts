// Cheap token estimates for load accounting before a tokenizer is in the path: about four bytes
// of prompt text per token (llm-d's estimate backend uses the same ratio).
const BYTES_PER_TOKEN = 4;

/** Estimated prompt tokens of an OpenAI request body (chat messages, prompt, input). */
export function estimatePromptTokens(body: Readonly<Record<string, unknown>>): number {
  const source = body.messages ?? body.prompt ?? body.input ?? "";
  if (Array.isArray(source) && source.every((x) => typeof x === "number")) return source.length;
  const text = typeof source === "string" ? source : JSON.stringify(source);
  return Math.ceil(text.length / BYTES_PER_TOKEN);
}

/** Expected output tokens: the request's limit, or a moderate default when it sets none. */
export function estimateMaxTokens(body: Readonly<Record<string, unknown>>): number {
  for (const field of ["max_completion_tokens", "max_tokens", "max_output_tokens"]) {
    const value = body[field];
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  }
  return 256;
}
