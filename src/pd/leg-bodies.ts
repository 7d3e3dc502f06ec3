// The bodies of the two legs, exactly as vLLM's NixlConnector toy proxy and llm-d's nixlv2 sidecar build
// them (vllm-interfaces.md §4.2–4.3): a one-token, non-streaming prefill and the untouched client body
// plus the prefill engine's kv_transfer_params for decode.

/** Routes the two-leg flow serves (llm-d's sidecar list, without /inference/v1/generate). */
export const PD_PATHS: ReadonlySet<string> = new Set([
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/responses",
]);

/** What the prefill leg asks of the prefill engine: compute, hold the blocks, and let a decoder pull them. */
export const PREFILL_KV_TRANSFER_PARAMS: Readonly<Record<string, unknown>> = Object.freeze({
  do_remote_decode: true,
  do_remote_prefill: false,
  remote_engine_id: null,
  remote_block_ids: null,
  remote_host: null,
  remote_port: null,
});

/** Output caps each API defines (llm-d `APIType.tokenLimitFields`); set to 1 on the prefill leg. */
const OWN_LIMITS: Readonly<Record<string, readonly string[]>> = {
  "/v1/chat/completions": ["max_tokens", "max_completion_tokens"],
  "/v1/completions": ["max_tokens"],
  "/v1/responses": ["max_output_tokens"],
};
const ALL_LIMITS = ["max_tokens", "max_completion_tokens", "max_output_tokens"] as const;

/**
 * The prefill leg's body: the client's with kv_transfer_params for a remote decode, stream false,
 * stream_options removed (vLLM rejects it without streaming), every output cap 1 and the minimums
 * removed (vLLM rejects min_tokens > max_tokens). A cap the API does not define is set to 1 only when
 * the client sent it, so no field appears on the wire that a strict server could reject.
 */
export function toPrefillBody(
  path: string,
  body: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  const own = OWN_LIMITS[path] ?? ["max_tokens"];
  for (const field of ALL_LIMITS) {
    if (own.includes(field) || out[field] !== undefined) out[field] = 1;
  }
  delete out.min_tokens;
  delete out.min_completion_tokens;
  out.stream = false;
  delete out.stream_options;
  // vLLM stores Responses by default; a one-token prefill response must not be kept (llm-d pins this too).
  if (path === "/v1/responses") out.store = false;
  out.kv_transfer_params = { ...PREFILL_KV_TRANSFER_PARAMS };
  return out;
}

/** The decode leg's body: the original request with the prefill engine's params, passed through as is. */
export function toDecodeBody(
  body: Readonly<Record<string, unknown>>,
  kvTransferParams: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return { ...body, kv_transfer_params: kvTransferParams };
}

/**
 * Whether one prefill can serve the request: vLLM's NixlConnector holds one request's blocks, so several
 * choices (`n` > 1) or several completion prompts cannot be handed over (the sim and vLLM answer 400).
 */
export function isDisaggregable(body: Readonly<Record<string, unknown>>): boolean {
  if (body.n !== undefined && body.n !== null && body.n !== 1) return false;
  const prompt = body.prompt;
  return !Array.isArray(prompt) || prompt.every((item) => typeof item === "number");
}

/** A usable kv_transfer_params object from a prefill response body, or null (vLLM omits it on abnormal ends). */
export function kvTransferParamsOf(response: unknown): Record<string, unknown> | null {
  if (typeof response !== "object" || response === null || Array.isArray(response)) return null;
  const params = (response as Record<string, unknown>).kv_transfer_params;
  if (typeof params !== "object" || params === null || Array.isArray(params)) return null;
  return params as Record<string, unknown>;
}
