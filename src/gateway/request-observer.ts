// Turns the proxy's callbacks into load leases on the pool, circuit-breaker outcomes, metrics, live
// stats, trace spans and one access-log line per request. Never logs prompt text.
import type { PrefillAttemptRecord } from "../pd/index.ts";
import type { LoadLease } from "../pool/index.ts";
import type { DecisionExplanation } from "../scheduler/index.ts";
import { type RequestTrace, startRequestTrace } from "../telemetry/index.ts";
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
  /** Called once after the request ended, with what the gateway measured. */
  onDone?: (done: ObservedDone) => void;
  /** Flow control's part (gateway clock, ms), traced as the admission span; absent when none ran. */
  admission?: { readonly startMs: number; readonly endMs: number; readonly queuedMs: number };
}

/** What the gateway measured of one finished request. */
export interface ObservedDone {
  readonly outcome: ProxyOutcome;
  readonly usage: UpstreamUsage | null;
  /** Gateway clock at the first and last token; null when none came. */
  readonly firstTokenAtMs: number | null;
  readonly lastTokenAtMs: number | null;
}

/** The proxy's observer plus the trace headers the upstream request carries. */
export interface RequestObserver extends ProxyObserver {
  /** `traceparent` naming this request's span; empty when tracing is off. Spread into upstreamHeaders. */
  readonly traceHeaders: Readonly<Record<string, string>>;
  /** A P/D prefill attempt ended: its span beside the decode leg's upstream span. */
  tracePrefill(attempt: PrefillAttemptRecord): void;
}

const NO_TRACE_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
/** How far back the tracer looks for a request's decision (only when tracing is on). */
const DECISIONS_SEARCHED = 32;

/**
 * One observer per request; it owns the request's lease and reports everything exactly once.
 * `clientHeaders` lets the request span continue a client's traceparent.
 */
export function createRequestObserver(
  ctx: GatewayContext,
  request: ObservedRequest,
  clientHeaders?: Headers,
): RequestObserver {
  let lease: LoadLease | null = null;
  let firstTokenAtMs: number | null = null;
  let lastTokenAtMs: number | null = null;
  let usage: UpstreamUsage | null = null;
  const series = ctx.metrics.forModel(request.model);
  const stats = ctx.stats;
  const trace = startTrace(ctx, request, clientHeaders);
  let lastStepAtMs = request.startedAtMs;
  if (trace !== null && request.admission !== undefined) {
    const { startMs, endMs, queuedMs } = request.admission;
    trace.phase("llmux.admission", startMs, endMs, { "llmux.flow.queued_ms": queuedMs });
    lastStepAtMs = endMs;
  }
  return {
    traceHeaders: trace?.headers ?? NO_TRACE_HEADERS,
    tracePrefill(attempt) {
      // The decision's own span is made with the decode attempt, which finds it by request id.
      if (trace === null) return;
      const isOk = attempt.outcome === "ok" || attempt.outcome === "client_error";
      trace.call(
        "llmux.prefill",
        attempt.startedAtMs,
        attempt.endedAtMs,
        {
          "llmux.endpoint.id": attempt.endpointId,
          "llmux.attempt": attempt.attempt,
          "llmux.pd.leg": "prefill",
          "llmux.pd.prefill_outcome": attempt.outcome,
        },
        isOk ? null : attempt.outcome,
      );
    },
    onAttempt(endpointId, attempt) {
      lease?.release();
      lease = ctx.pool.acquire(endpointId, request.promptTokenEstimate, request.maxTokensEstimate);
      if (trace !== null) {
        const atMs = ctx.now();
        traceScheduling(trace, ctx, request.requestId, endpointId, lastStepAtMs, atMs);
        trace.startAttempt("llmux.upstream", atMs, {
          "llmux.endpoint.id": endpointId,
          "llmux.attempt": attempt,
        });
      }
    },
    onAttemptFailed(endpointId, reason, status) {
      lease?.release();
      lease = null;
      ctx.pool.recordFailure(endpointId);
      ctx.metrics.retries.inc({ endpoint: endpointId, reason });
      if (trace !== null) {
        lastStepAtMs = ctx.now();
        const attributes = status === null ? {} : { "http.response.status_code": status };
        trace.endAttempt(lastStepAtMs, attributes, reason);
      }
    },
    onUpstreamResponse(endpointId, status) {
      ctx.pool.recordSuccess(endpointId);
      trace?.setAttemptAttributes({ "http.response.status_code": status });
    },
    onFirstToken(atMs) {
      lease?.firstToken();
      firstTokenAtMs = atMs;
      lastTokenAtMs = atMs;
      series.ttft.observe((atMs - request.startedAtMs) / 1000);
      stats?.recordLatency("ttft", atMs, atMs - request.startedAtMs);
      trace?.attemptEvent("first_token", atMs);
    },
    onToken(atMs) {
      if (lastTokenAtMs !== null) {
        series.itl.observe((atMs - lastTokenAtMs) / 1000);
        stats?.recordLatency("itl", atMs, atMs - lastTokenAtMs);
      }
      lastTokenAtMs = atMs;
    },
    onUsage(reported) {
      usage = reported;
    },
    onFinish(outcome) {
      lease?.release();
      lease = null;
      finish(ctx, request, outcome, usage, firstTokenAtMs, trace);
      request.onDone?.({ outcome, usage, firstTokenAtMs, lastTokenAtMs });
    },
  };
}

function finish(
  ctx: GatewayContext,
  request: ObservedRequest,
  outcome: ProxyOutcome,
  usage: UpstreamUsage | null,
  firstTokenAtMs: number | null,
  trace: RequestTrace | null,
): void {
  const endedAtMs = ctx.now();
  const endpoint = outcome.endpointId ?? "none";
  const status = outcome.isClientAbort ? "499" : String(outcome.status);
  ctx.stats?.recordFinish({
    endedAtMs,
    status: outcome.status,
    isClientAbort: outcome.isClientAbort,
    isError: outcome.errorCode !== null,
    endpointId: outcome.endpointId,
    e2eMs: endedAtMs - request.startedAtMs,
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    cachedTokens: usage?.cachedTokens ?? 0,
  });
  trace?.end(endedAtMs, finishAttributes(outcome, usage, firstTokenAtMs, request), outcome.errorCode);
  const { metrics } = ctx;
  metrics.requests.labels(request.model, endpoint, status, request.keyName).inc();
  metrics.forModel(request.model).e2e.observe((endedAtMs - request.startedAtMs) / 1000);
  if (usage !== null) {
    metrics.tokens.labels(request.model, "prompt", request.keyName).inc(usage.promptTokens);
    metrics.tokens.labels(request.model, "completion", request.keyName).inc(usage.completionTokens);
    metrics.tokens.labels(request.model, "cached", request.keyName).inc(usage.cachedTokens);
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

function startTrace(ctx: GatewayContext, request: ObservedRequest, clientHeaders: Headers | undefined) {
  if (ctx.tracing === undefined) return null;
  return startRequestTrace(ctx.tracing, "llmux.request", {
    atMs: request.startedAtMs,
    attributes: {
      "llmux.request_id": request.requestId,
      "llmux.route": request.route,
      "gen_ai.request.model": request.model,
      "llmux.key": request.keyName,
    },
    incoming: clientHeaders,
  });
}

/**
 * The scheduling span of the attempt about to start, timed by the scheduler's own record of the
 * decision. The decision can precede the attempt by a P/D prefill leg, so it is looked up by request
 * id among the newest few; if it has left the ring, the span covers the time since the last step.
 */
function traceScheduling(
  trace: RequestTrace,
  ctx: GatewayContext,
  requestId: string,
  endpointId: string,
  sinceMs: number,
  atMs: number,
): void {
  const recent = ctx.scheduler.recentDecisions?.(DECISIONS_SEARCHED) ?? [];
  const decision = recent.find((d) => d.requestId === requestId && d.winner === endpointId);
  if (decision === undefined) {
    trace.phase("llmux.schedule", sinceMs, atMs, { "llmux.decision.winner": endpointId });
    return;
  }
  const endMs = decision.decidedAtMs ?? atMs;
  const startMs = endMs - (decision.durationUs ?? 0) / 1000;
  trace.phase("llmux.schedule", startMs, endMs, decisionAttributes(decision));
}

/** Winner, profile and the weighted totals per endpoint ("id=score" by score, best first). */
function decisionAttributes(decision: DecisionExplanation): Record<string, string | number> {
  const totals = Object.entries(decision.scores)
    .map(([id, scores]) => [id, scores.total ?? 0] as const)
    .sort((a, b) => b[1] - a[1]);
  const winnerScores = decision.scores[decision.winner] ?? {};
  return {
    "llmux.decision.profile": decision.profile,
    "llmux.decision.picker": decision.picker,
    "llmux.decision.winner": decision.winner,
    "llmux.decision.candidates": totals.length,
    "llmux.decision.filtered_out": Object.keys(decision.filteredOut).length,
    "llmux.decision.scores": totals.map(([id, total]) => `${id}=${total.toFixed(3)}`).join(" "),
    "llmux.decision.winner_scores": Object.entries(winnerScores)
      .map(([plugin, score]) => `${plugin}=${score.toFixed(3)}`)
      .join(" "),
    ...(decision.prefill === undefined ? {} : { "llmux.decision.prefill_winner": decision.prefill.winner }),
  };
}

function finishAttributes(
  outcome: ProxyOutcome,
  usage: UpstreamUsage | null,
  firstTokenAtMs: number | null,
  request: ObservedRequest,
): Record<string, string | number | boolean> {
  return {
    "http.response.status_code": outcome.isClientAbort ? 499 : outcome.status,
    "llmux.endpoint.id": outcome.endpointId ?? "none",
    "llmux.attempts": outcome.attempts,
    "llmux.client_abort": outcome.isClientAbort,
    ...(firstTokenAtMs === null ? {} : { "llmux.ttft_ms": firstTokenAtMs - request.startedAtMs }),
    ...(usage === null
      ? {}
      : {
          "gen_ai.usage.input_tokens": usage.promptTokens,
          "gen_ai.usage.output_tokens": usage.completionTokens,
          "llmux.usage.cached_tokens": usage.cachedTokens,
        }),
    ...(outcome.errorCode === null ? {} : { "error.type": outcome.errorCode }),
  };
}
