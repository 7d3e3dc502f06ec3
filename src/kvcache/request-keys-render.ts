// Fallback tokenization through an engine: vLLM's /v1/chat/completions/render and /v1/completions/render
// return the prompt's token ids without generating (llm-d's token-producer does the same).
import type { RequestKind } from "./request-keys-prompt.ts";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Token ids of the engine's render of `body`. Throws on HTTP failure, timeout or an unexpected reply. */
export async function renderTokenIds(
  baseUrl: string,
  kind: RequestKind,
  body: Readonly<Record<string, unknown>>,
  signal: AbortSignal,
  fetchImpl: FetchLike,
): Promise<number[]> {
  const path = kind === "chat" ? "/v1/chat/completions/render" : "/v1/completions/render";
  const { stream: _stream, stream_options: _options, ...rest } = body;
  const response = await fetchImpl(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rest),
    signal,
  });
  if (!response.ok) {
    await response.arrayBuffer();
    throw new Error(`render ${path}: HTTP ${response.status}`);
  }
  const reply: unknown = await response.json();
  // Chat answers one GenerateRequest; completions a list of them, one per prompt.
  const first: unknown = Array.isArray(reply) ? reply[0] : reply;
  const tokens =
    typeof first === "object" && first !== null ? (first as { token_ids?: unknown }).token_ids : undefined;
  if (!Array.isArray(tokens) || !tokens.every((id) => Number.isSafeInteger(id) && id >= 0)) {
    throw new Error(`render ${path}: reply has no token_ids`);
  }
  return tokens as number[];
}
