// vLLM's UsageInfo {prompt_tokens, total_tokens, completion_tokens, prompt_tokens_details} and the
// header fields every response and chunk starts with.

/** id, created and model: the same on every chunk of one response. */
export interface ResponseMeta {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export interface UsageOptions {
  /** --enable-prompt-tokens-details. */
  readonly hasDetails: boolean;
  /** Streaming chunks drop null fields (model_dump_json(exclude_none=True)); full responses keep them. */
  readonly dropNulls: boolean;
}

/** prompt_tokens_details appears only with --enable-prompt-tokens-details and a non-zero cached count. */
export function usageInfo(
  promptTokens: number,
  completionTokens: number,
  cachedTokens: number,
  options: UsageOptions,
): Record<string, unknown> {
  const details = options.hasDetails && cachedTokens > 0 ? { cached_tokens: cachedTokens } : null;
  const usage: Record<string, unknown> = {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + completionTokens,
    completion_tokens: completionTokens,
  };
  if (details !== null || !options.dropNulls) usage.prompt_tokens_details = details;
  return usage;
}
