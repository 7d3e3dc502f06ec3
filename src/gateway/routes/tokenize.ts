// POST /tokenize and /detokenize: forwarded to an engine that serves the request's model, so the
// engine's own tokenizer and chat template answer (vLLM does not guard these with the API key).
import type { Context, Hono } from "hono";
import type { GatewayContext } from "../context.ts";
import { resolveRequestId } from "../middleware/request-id.ts";
import { readJsonBody } from "../openai/body.ts";
import { errorResponse } from "../openai/errors.ts";
import { forwardRequest } from "../proxy/forward.ts";

export function registerTokenizeRoutes(app: Hono, ctx: GatewayContext): void {
  for (const path of ["/tokenize", "/detokenize"]) app.post(path, (c) => forwardTokenize(ctx, c, path));
}

async function forwardTokenize(ctx: GatewayContext, c: Context, path: string): Promise<Response> {
  const requestId = resolveRequestId(c.req.header("x-request-id"));
  const auth = ctx.authenticator.authenticate(c.req.raw);
  if (!auth.ok) return auth.response;
  const read = await readJsonBody(c.req.raw, ctx.gateway.max_body_bytes);
  if (!read.ok) return read.response;
  const requested = typeof read.body.model === "string" ? read.body.model : null;
  const bases = ctx.pool.modelNames().filter((m) => m.parent === null);
  const model =
    requested ?? ctx.gateway.default_model ?? (bases.length === 1 ? (bases[0]?.id ?? null) : null);
  const resolved = model === null ? null : ctx.pool.resolveModel(model);
  if (model === null || resolved === null) {
    return errorResponse("gateway_model_not_found", {
      requestId,
      param: "model",
      detail: `The model \`${model ?? ""}\` does not exist. Available models: ${bases.map((m) => m.id).join(", ") || "none"}.`,
    });
  }
  return forwardRequest(
    {
      clientRequest: c.req.raw,
      path,
      body: { ...read.body, model },
      isStreaming: false,
      clientWantsUsage: false,
      requestId,
      upstreamHeaders: { "x-request-id": requestId },
      pick: function pickAny(excluded) {
        const candidate = ctx.pool
          .candidates(resolved.baseModel)
          .find((e) => !excluded.has(e.descriptor.id) && ctx.pool.admitAttempt(e.descriptor.id));
        return candidate === undefined
          ? { ok: false, reason: `no endpoint serves ${resolved.baseModel}` }
          : {
              ok: true,
              target: { endpointId: candidate.descriptor.id, baseUrl: candidate.descriptor.baseUrl },
            };
      },
      observer: {},
    },
    {
      maxAttempts: ctx.gateway.retry.max_attempts,
      initialBackoffMs: ctx.gateway.retry.initial_backoff_ms,
      maxBackoffMs: ctx.gateway.retry.max_backoff_ms,
      totalTimeoutMs: 30_000,
      idleTimeoutMs: 30_000,
      maxBufferedBytes: 1024 * 1024,
    },
    ctx.now,
  );
}
