// Turns the proxy's callbacks into load leases on the pool, circuit-breaker outcomes, metrics and
// one access-log line per request. Never logs prompt text.
import type { LoadLease } from "../pool/index.ts";
import type { GatewayContext } from "./context.ts";
import type { ProxyObserver, ProxyOutcome, UpstreamUsage } from "./proxy/types.ts";

export interface ObservedRequest {
  readonly requestId: string;
  readonly model: string;
  readonly keyName: string;
  readonly route: string;
  /** Uncached prompt tokens the engine must compute; refined by the scheduler's pick. */
  promptTokenEstimate: number;
  readonly maxTokensEstimate: number;
  readonly startedAtMs: number;
  /** Filled by the scheduler callback: why the endpoint was chosen. */
  routeReason: string;
}

/** One observer per request; it owns the request's lease and reports everything exactly once. */
export function createRequestObserver(ctx: GatewayContext, request: ObservedRequest): ProxyObserver {
  let lease: LoadLease | null = null;
  let firstTokenAtMs: number | null = null;
  let lastTokenAtMs: number | null = null;
  let usage: UpstreamUsage | null = null;
  const series = ctx.metrics.forModel(request.model);
  return {
    onAttempt(endpointId) {
      lease?.release();
      lease = ctx.pool.acquire(endpointId, request.promptTokenEstimate, request.maxTokensEstimate);
    },
    onAttemptFailed(endpointId, reason) {
      lease?.release();
      lease = null;
      ctx.pool.recordFailure(endpointId);
      ctx.metrics.retries.inc({ endpoint: endpointId, reason });
    },
    onUpstreamResponse(endpointId) {
      ctx.pool.recordSuccess(endpointId);
    },
    onFirstToken(atMs) {
      lease?.firstToken();
      firstTokenAtMs = atMs;
      lastTokenAtMs = atMs;
      series.ttft.observe((atMs - request.startedAtMs) / 1000);
    },
    onToken(atMs) {
      if (lastTokenAtMs !== null) series.itl.observe((atMs - lastTokenAtMs) / 1000);
      lastTokenAtMs = atMs;
    },
    onUsage(reported) {
      usage = reported;
    },
    onFinish(outcome) {
      lease?.release();
      lease = null;
      finish(ctx, request, outcome, usage, firstTokenAtMs);
    },
  };
}

function finish(
  ctx: GatewayContext,
  request: ObservedRequest,
  outcome: ProxyOutcome,
  usage: UpstreamUsage | null,
  firstTokenAtMs: number | null,
): void {
  const endedAtMs = ctx.now();
  const endpoint = outcome.endpointId ?? "none";
  const status = outcome.isClientAbort ? "499" : String(outcome.status);
  ctx.metrics.requestCounter(request.model, endpoint, status, request.keyName).inc();
  ctx.metrics.forModel(request.model).e2e.observe((endedAtMs - request.startedAtMs) / 1000);
  if (usage !== null) {
    const tokens = ctx.metrics.tokenCounters(request.model, request.keyName);
    tokens.prompt.inc(usage.promptTokens);
    tokens.completion.inc(usage.completionTokens);
    tokens.cached.inc(usage.cachedTokens);
  }
  if (!ctx.isAccessLogOn) return;
  ctx.logger.info(
    {
      requestId: request.requestId,
      route: request.route,
      model: request.model,
      key: request.keyName,
      endpoint,
      status: Number(status),
      attempts: outcome.attempts,
      ttftMs: firstTokenAtMs === null ? null : Math.round(firstTokenAtMs - request.startedAtMs),
      e2eMs: Math.round(endedAtMs - request.startedAtMs),
      promptTokens: usage?.promptTokens ?? null,
      completionTokens: usage?.completionTokens ?? null,
      cachedTokens: usage?.cachedTokens ?? null,
      routeReason: request.routeReason,
      error: outcome.errorCode,
    },
    "request",
  );
}
