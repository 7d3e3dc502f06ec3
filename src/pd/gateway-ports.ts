// What the two-leg flow needs from the gateway, built over its context: the next prefill engine (the
// scheduler, minus engines that failed or whose half-open probe is taken), pool bookkeeping for prefill
// attempts, and the `pd:` settings.
import type { PdConfig } from "../config/index.ts";
import type { GatewayContext } from "../gateway/index.ts";
import type { PrefillTarget, SchedulingRequest } from "../scheduler/index.ts";
import type { PdSettings, PdTarget, PrefillAttemptRecord, PrefillHooks } from "./types.ts";

/** A prefill leg's answer is one token of JSON; anything near this size is a broken engine. */
const MAX_PREFILL_RESPONSE_BYTES = 1024 * 1024;

/**
 * The `pd:` schema's defaults (src/config/schema/pd.ts; test/pd/gateway-ports.test.ts keeps them equal),
 * for a context whose composition root does not pass the `pd:` section.
 */
export const PD_CONFIG_DEFAULTS: PdConfig = Object.freeze({
  prefill_timeout_ms: 30_000,
  prefill_max_retries: 1,
  fallback_to_decode_only: true,
});

/** The next prefill engine: `candidate` when given, else a new decision without `excluded`; null if none. */
export function nextPrefill(
  ctx: GatewayContext,
  scheduling: SchedulingRequest,
  excluded: ReadonlySet<string>,
  candidate: PrefillTarget | undefined,
): PdTarget | null {
  const skipped = new Set(excluded);
  let next = candidate;
  for (;;) {
    if (next === undefined) {
      const candidates = ctx.pool.candidates(scheduling.model).filter((e) => !skipped.has(e.descriptor.id));
      const decision = ctx.scheduler.schedule(scheduling, candidates);
      if (decision.ok) ctx.metrics.routing.decided(decision.explanation);
      if (!decision.ok || decision.prefill === undefined) return null;
      next = decision.prefill;
    }
    const chosen = next.endpoint.descriptor;
    // A half-open circuit lets one probe through; if it is taken, choose among the others.
    if (ctx.pool.admitAttempt(chosen.id)) {
      ctx.scheduler.onPicked?.(scheduling, chosen.id);
      return { endpointId: chosen.id, baseUrl: chosen.baseUrl };
    }
    skipped.add(chosen.id);
    next = undefined;
  }
}

/** Prefill attempts hold a load lease and feed the circuit breaker, like the proxy's attempts. */
export function prefillHooks(
  ctx: GatewayContext,
  uncachedPromptTokens: number,
  onEnded?: (attempt: PrefillAttemptRecord) => void,
): PrefillHooks {
  return {
    ...(onEnded === undefined ? {} : { ended: onEnded }),
    start: function leasePrefill(target) {
      const lease = ctx.pool.acquire(target.endpointId, Math.max(0, uncachedPromptTokens), 1);
      return () => lease.release();
    },
    succeeded: function prefillAnswered(endpointId) {
      ctx.pool.recordSuccess(endpointId);
    },
    failed: function prefillFailed(endpointId, reason) {
      ctx.pool.recordFailure(endpointId);
      ctx.metrics.retries.inc({ endpoint: endpointId, reason: `prefill_${reason}` });
    },
  };
}

/** The flow's settings from the context's `pd` section when the composition root provides one. */
export function pdSettingsOf(ctx: GatewayContext): PdSettings {
  const pd = ctx.pd ?? PD_CONFIG_DEFAULTS;
  return {
    prefillTimeoutMs: pd.prefill_timeout_ms,
    prefillMaxRetries: pd.prefill_max_retries,
    isFallbackToDecodeOnly: pd.fallback_to_decode_only,
    maxPrefillResponseBytes: MAX_PREFILL_RESPONSE_BYTES,
  };
}
