// OpenAI request bodies for a workload request: completions with a token-id prompt (exact prompt
// tokens, what vLLM and the sim accept), or chat with the ids rendered as words (approximate counts).
import type { WorkloadRequest } from "../types.ts";

export type ApiKind = "completions" | "chat";

export interface BodyOptions {
  readonly api: ApiKind;
  readonly model: string;
  /** Generate exactly max_tokens (vLLM's ignore_eos); off for servers that reject unknown fields. */
  readonly ignoreEos: boolean;
}

/** The route under the base URL for `api`. */
export function routePath(api: ApiKind): string {
  return api === "chat" ? "/v1/chat/completions" : "/v1/completions";
}

export function requestBody(request: WorkloadRequest, options: BodyOptions): Record<string, unknown> {
  const tokens = request.promptTokenIds();
  const body: Record<string, unknown> = {
    model: options.model,
    max_tokens: request.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0,
  };
  if (options.ignoreEos) body.ignore_eos = true;
  if (options.api === "chat") body.messages = [{ role: "user", content: tokensAsText(tokens) }];
  else body.prompt = tokens;
  return body;
}

/** One short word per id: equal id prefixes give equal text prefixes, so prefix sharing survives. */
export function tokensAsText(tokens: readonly number[]): string {
  let text = "";
  for (let i = 0; i < tokens.length; i++) text += `${i === 0 ? "" : " "}w${tokens[i]!.toString(36)}`;
  return text;
}

/** Routing headers llmux's gateway reads (flow config's default header names, the SLO headers). */
export function requestHeaders(request: WorkloadRequest, apiKey: string | null): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
  if (request.tags.priority !== undefined) headers["x-llmux-priority"] = String(request.tags.priority);
  if (request.tags.tenant !== undefined) headers["x-llmux-fairness-id"] = request.tags.tenant;
  if (request.tags.sloTtftMs !== undefined) headers["x-llmux-slo-ttft-ms"] = String(request.tags.sloTtftMs);
  if (request.tags.sloTpotMs !== undefined) headers["x-llmux-slo-tpot-ms"] = String(request.tags.sloTpotMs);
  return headers;
}
