// The OpenAI generation routes (chat, completions, embeddings, responses, messages): authenticate,
// validate, resolve the model to its engines, and relay through the proxy with per-attempt scheduling.
import type { Context, Hono } from "hono";
import {
  createPdReporter,
  isDisaggregable,
  nextPrefill,
  PD_PATHS,
  type PrefillHandoff,
  pdSettingsOf,
  prefillHooks,
  runTwoLeg,
  type TwoLegResult,
  withPdTiming,
} from "../../pd/index.ts";
import type { DecisionExplanation, ScheduleResult, SchedulingRequest } from "../../scheduler/index.ts";
import type { GatewayContext } from "../context.ts";
import { checkModelAllowed } from "../middleware/auth.ts";
import { resolveRequestId } from "../middleware/request-id.ts";
import { readJsonBody } from "../openai/body.ts";
import { errorResponse } from "../openai/errors.ts";
import { parseGenerationRequest, type RequestRoute } from "../openai/schemas.ts";
import { forwardRequest } from "../proxy/forward.ts";
import type { PickUpstream, ProxyObserver, ProxySettings } from "../proxy/types.ts";
import { createRequestObserver, type ObservedRequest, type RequestObserver } from "../request-observer.ts";
import { admitRequest, releasingOnDone } from "./admission-step.ts";
import { keysOf, type PickedEndpoint, reportDone } from "./request-facts.ts";
import { estimateMaxTokens, estimatePromptTokens } from "./token-estimate.ts";

const ROUTES: readonly (readonly [string, RequestRoute])[] = [
  ["/v1/chat/completions", "chat"],
  ["/v1/completions", "completions"],
  ["/v1/embeddings", "embeddings"],
  ["/v1/responses", "responses"],
  ["/v1/messages", "messages"],
];

/** Most bytes buffered toward one slow client before the proxy stops reading upstream. */
const MAX_BUFFERED_BYTES_PER_STREAM = 256 * 1024;

export function registerGenerationRoutes(app: Hono, ctx: GatewayContext): void {
  for (const [path, route] of ROUTES) {
    app.post(path, (c) => handleGeneration(ctx, c, path, route));
  }
}

async function handleGeneration(ctx: GatewayContext, c: Context, path: string, route: RequestRoute) {
  const startedAtMs = ctx.now();
  const requestId = resolveRequestId(c.req.header("x-request-id"));
  if (ctx.isShuttingDown()) return errorResponse("gateway_shutting_down", { requestId, retryAfterS: 1 });
  const auth = ctx.authenticator.authenticate(c.req.raw);
  if (!auth.ok) return withRequestId(auth.response, requestId);
  const read = await readJsonBody(c.req.raw, ctx.gateway.max_body_bytes);
  if (!read.ok) return withRequestId(read.response, requestId);
  const parsed = parseGenerationRequest(route, read.body, {
    allowKvTransferParams: ctx.gateway.allow_client_kv_transfer_params,
  });
  if (!parsed.ok) return withRequestId(parsed.response, requestId);
  const modelName = parsed.request.model ?? defaultModel(ctx);
  const resolved = modelName === null ? null : resolveModel(ctx, modelName);
  if (modelName === null || resolved === null) {
    return errorResponse("gateway_model_not_found", {
      requestId,
      param: "model",
      detail: `The model \`${modelName ?? ""}\` does not exist. Available models: ${knownModels(ctx).join(", ") || "none"}.`,
    });
  }
  const forbidden = checkModelAllowed(auth.key, modelName, { requestId });
  if (forbidden !== null) return forbidden;

  const body = upstreamBody(read.body, parsed.request.isStreaming, modelName);
  const isDebug = c.req.header("x-llmux-debug") === "1";
  const observed: ObservedRequest = {
    requestId,
    model: modelName,
    keyName: auth.key?.name ?? "none",
    route,
    promptTokenEstimate: estimatePromptTokens(read.body),
    maxTokensEstimate: estimateMaxTokens(read.body),
    startedAtMs,
    routeReason: "",
  };
  const prefixKeys = await keysOf(ctx, {
    requestId,
    route,
    body: read.body,
    model: resolved.baseModel,
    loraName: resolved.loraName,
  });
  // Exact prompt size once the prompt was tokenized for its block keys.
  if (prefixKeys !== undefined) observed.promptTokenEstimate = prefixKeys.promptTokens;
  const scheduling: SchedulingRequest = {
    requestId,
    model: resolved.baseModel,
    loraName: resolved.loraName,
    path,
    body: read.body,
    headers: c.req.raw.headers,
    promptTokenEstimate: observed.promptTokenEstimate,
    ...(prefixKeys === undefined ? {} : { prefixKeys }),
  };
  // Flow control may hold the request here; scheduling happens after, on the pool as it is then.
  const admissionStartMs = ctx.now();
  const admitted = await admitRequest(ctx, c, {
    requestId,
    model: resolved.baseModel,
    key: auth.key,
    sizeBytes: read.sizeBytes,
    promptTokens: scheduling.promptTokenEstimate,
    expectedOutputTokens: observed.maxTokensEstimate,
  });
  if (!admitted.ok) return admitted.response;
  if (ctx.flowControl !== undefined) {
    observed.admission = { startMs: admissionStartMs, endMs: ctx.now(), queuedMs: admitted.queuedMs };
  }
  // The first decision is made before forwarding, so a P/D decision can run its prefill leg first; the
  // proxy's first pick then uses it, and later picks (retries) decide again without the failed engines.
  const first = decide(ctx, scheduling, new Set());
  let explanation: DecisionExplanation | null = first.ok ? first.explanation : null;
  let pending: ScheduleResult | null = first;
  const leg = { isRemotePrefill: false };
  let picked: PickedEndpoint | null = null;
  const pick: PickUpstream = function pickEndpoint(excluded) {
    const decision = pending ?? decide(ctx, scheduling, excluded);
    pending = null;
    if (!decision.ok) return { ok: false, reason: decision.message };
    const chosen = decision.endpoint.descriptor;
    explanation = decision.explanation;
    picked = {
      endpoint: decision.endpoint,
      cachedTokensEstimate: decision.cachedTokensEstimate ?? 0,
      atMs: ctx.now(),
    };
    observed.routeReason = `${decision.explanation.profile}:${decision.explanation.winner}`;
    // In-flight prefill counts only what the engine must compute (token-load and the affinity filter's
    // wait estimate assume uncached tokens); a decode engine pulling the KV computes none.
    observed.promptTokenEstimate = leg.isRemotePrefill
      ? 0
      : Math.max(0, scheduling.promptTokenEstimate - (decision.cachedTokensEstimate ?? 0));
    ctx.scheduler.onPicked?.(scheduling, chosen.id);
    return { ok: true, target: { endpointId: chosen.id, baseUrl: chosen.baseUrl } };
  };
  observed.onDone = releasingOnDone(function reportCompleted(done) {
    if (picked !== null) reportDone(ctx, scheduling, picked, done);
  }, admitted);
  // Created before the headers: its span's traceparent goes upstream on every leg (W3C trace context).
  const observer = createRequestObserver(ctx, observed, c.req.raw.headers);
  const upstreamHeaders = { "x-request-id": requestId, ...observer.traceHeaders };
  const forward: Forward = (forwardBody, forwardObserver, timeoutMs) =>
    forwardRequest(
      {
        clientRequest: c.req.raw,
        path,
        body: forwardBody,
        isStreaming: parsed.request.isStreaming,
        clientWantsUsage: parsed.request.clientWantsUsage,
        requestId,
        upstreamHeaders,
        pick,
        observer: forwardObserver,
      },
      { ...proxySettings(ctx), totalTimeoutMs: timeoutMs },
      ctx.now,
    );
  const response =
    first.ok && first.pdDecision !== undefined && PD_PATHS.has(path)
      ? await serveDisaggregated(
          ctx,
          { decision: first, scheduling, body, observer, forward, leg, startedAtMs, upstreamHeaders },
          c,
        )
      : await forward(body, observer, ctx.gateway.request_timeout_ms);
  return isDebug && explanation !== null
    ? withHeader(response, "x-llmux-route", JSON.stringify(explanation))
    : response;
}

type JsonBody = Record<string, unknown>;
type Forward = (body: JsonBody, observer: ProxyObserver, timeoutMs: number) => Promise<Response>;

interface PdServing {
  readonly decision: Extract<ScheduleResult, { ok: true }>;
  readonly scheduling: SchedulingRequest;
  readonly body: JsonBody;
  readonly observer: RequestObserver;
  readonly forward: Forward;
  /** Read by the proxy's pick: a decode leg with the prefill's KV computes no prompt tokens. */
  readonly leg: { isRemotePrefill: boolean };
  /** Gateway clock when the request arrived. */
  readonly startedAtMs: number;
  /** Headers both legs carry (one X-Request-Id for both, as vLLM's proxy protocol requires). */
  readonly upstreamHeaders: Readonly<Record<string, string>>;
}

/** A request under a P/D profile handler: the two-leg flow when a prefill leg was decided, else decode alone. */
async function serveDisaggregated(ctx: GatewayContext, serving: PdServing, c: Context): Promise<Response> {
  const { decision, scheduling, body, observer, startedAtMs } = serving;
  const requestId = scheduling.requestId;
  ctx.metrics.pd.decisions.inc({ decision: decision.pdDecision ?? "decode-only" });
  const forwardDecode = (decodeBody: JsonBody, handoff: PrefillHandoff | null) => {
    serving.leg.isRemotePrefill = handoff !== null;
    const remainingMs = ctx.gateway.request_timeout_ms - (ctx.now() - startedAtMs);
    const timed = withPdTiming(observer, ctx.metrics.pd, startedAtMs, handoff);
    return serving.forward(decodeBody, timed, Math.max(1, remainingMs));
  };
  // A client that sent its own kv_transfer_params runs its own P/D protocol; the gateway only decodes.
  if (decision.prefill === undefined || body.kv_transfer_params != null) return forwardDecode(body, null);
  const reporter = createPdReporter(ctx.metrics.pd);
  const prefill = isDisaggregable(body) ? nextPrefill(ctx, scheduling, new Set(), decision.prefill) : null;
  if (prefill === null) {
    reporter.fallback(isDisaggregable(body) ? "no_prefill_endpoint" : "not_disaggregable");
    return forwardDecode(body, null);
  }
  const result = await runTwoLeg({
    path: scheduling.path,
    body,
    upstreamHeaders: serving.upstreamHeaders,
    clientSignal: c.req.raw.signal,
    prefill,
    nextPrefill: (excluded) => nextPrefill(ctx, scheduling, excluded, undefined),
    forwardDecode,
    hooks: prefillHooks(
      ctx,
      scheduling.promptTokenEstimate - decision.prefill.cachedTokensEstimate,
      observer.tracePrefill,
    ),
    reporter,
    settings: pdSettingsOf(ctx),
    now: ctx.now,
  });
  return toClientResponse(result, observer, requestId);
}

/** Schedules among the model's engines minus `excluded`, skipping any whose half-open probe is taken. */
function decide(ctx: GatewayContext, scheduling: SchedulingRequest, excluded: ReadonlySet<string>) {
  let candidates = ctx.pool.candidates(scheduling.model).filter((e) => !excluded.has(e.descriptor.id));
  for (;;) {
    const decision: ScheduleResult = ctx.scheduler.schedule(scheduling, candidates);
    if (!decision.ok) return decision;
    ctx.metrics.routing.decided(decision.explanation);
    const chosen = decision.endpoint.descriptor;
    // A half-open circuit lets one probe through; if it is taken, choose among the others.
    if (ctx.pool.admitAttempt(chosen.id)) return decision;
    candidates = candidates.filter((e) => e.descriptor.id !== chosen.id);
  }
}

/** The client's answer when the decode leg never ran; the outcome is reported as the proxy would. */
function toClientResponse(result: TwoLegResult, observer: ProxyObserver, requestId: string): Response {
  if (result.kind === "forwarded") return result.response;
  const outcome = { attempts: result.attempts, isClientAbort: false, errorCode: null };
  if (result.kind === "prefill-rejected") {
    observer.onFinish?.({ ...outcome, status: result.response.status, endpointId: result.endpointId });
    const response = withHeader(result.response, "x-llmux-endpoint", result.endpointId);
    return withHeader(response, "x-request-id", requestId);
  }
  if (result.kind === "client-abort") {
    observer.onFinish?.({ ...outcome, status: 499, endpointId: result.endpointId, isClientAbort: true });
    return new Response(null, { status: 499 });
  }
  const response = errorResponse("gateway_upstream_unavailable", { requestId });
  observer.onFinish?.({
    ...outcome,
    status: response.status,
    endpointId: result.endpointId,
    errorCode: "gateway_upstream_unavailable",
    errorDetail: result.detail,
  });
  return response;
}

/** The body sent upstream: the client's, with the resolved model and usage always requested. */
function upstreamBody(
  body: Record<string, unknown>,
  isStreaming: boolean,
  model: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, model };
  if (isStreaming) {
    const options =
      typeof body.stream_options === "object" && body.stream_options !== null ? body.stream_options : {};
    out.stream_options = { ...options, include_usage: true };
  }
  return out;
}

function defaultModel(ctx: GatewayContext): string | null {
  if (ctx.gateway.default_model !== undefined) return ctx.gateway.default_model;
  const bases = new Set([
    ...ctx.pool
      .modelNames()
      .filter((m) => m.parent === null)
      .map((m) => m.id),
    ...ctx.configuredModels.filter((m) => m.parent === null).map((m) => m.id),
  ]);
  // Like vLLM, a request without a model goes to the only model there is.
  return bases.size === 1 ? ([...bases][0] ?? null) : null;
}

/** Resolves against ready engines first, then against the config (engines still starting). */
function resolveModel(
  ctx: GatewayContext,
  name: string,
): { baseModel: string; loraName: string | null } | null {
  const live = ctx.pool.resolveModel(name);
  if (live !== null) return live;
  const configured = ctx.configuredModels.find((m) => m.id === name);
  if (configured === undefined) return null;
  return configured.parent === null
    ? { baseModel: name, loraName: null }
    : { baseModel: configured.parent, loraName: name };
}

function knownModels(ctx: GatewayContext): string[] {
  return [...new Set([...ctx.pool.modelNames().map((m) => m.id), ...ctx.configuredModels.map((m) => m.id)])];
}

function proxySettings(ctx: GatewayContext): ProxySettings {
  return {
    maxAttempts: ctx.gateway.retry.max_attempts,
    initialBackoffMs: ctx.gateway.retry.initial_backoff_ms,
    maxBackoffMs: ctx.gateway.retry.max_backoff_ms,
    totalTimeoutMs: ctx.gateway.request_timeout_ms,
    idleTimeoutMs: ctx.gateway.stream_idle_timeout_ms,
    maxBufferedBytes: MAX_BUFFERED_BYTES_PER_STREAM,
  };
}

function withRequestId(response: Response, requestId: string): Response {
  return response.headers.has("x-request-id") ? response : withHeader(response, "x-request-id", requestId);
}

function withHeader(response: Response, name: string, value: string): Response {
  const headers = new Headers(response.headers);
  headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
