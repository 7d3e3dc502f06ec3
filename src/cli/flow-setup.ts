// Builds flow control for a node: with `flow.enabled`, the full admission (priority bands, fairness,
// saturation over the pool's candidates, shedding, TTLs) plus per-key rate limits; without it, the rate
// limits alone, so api_keys[].rpm / tpm always hold. Counters live in memory, or in Redis with flow.redis_url.
import type { Config, ConfigProblem } from "../config/index.ts";
import {
  type Admission,
  connectRedisRateLimitStore,
  createAdmission,
  createMemoryRateLimitStore,
  createRateLimitAdmission,
  createRateLimiter,
  type LatencyEstimator,
  type RateLimiter,
  type RateLimitStore,
} from "../flow/index.ts";
import type { FlowControl } from "../gateway/index.ts";
import type { EndpointPool } from "../pool/index.ts";
import type { Logger, MetricsRegistry } from "../telemetry/index.ts";
import { registerFlowMetrics } from "./flow-metrics.ts";

/** Store failures are logged at most this often; the counter has every one. */
const STORE_ERROR_LOG_INTERVAL_MS = 10_000;

export interface FlowSetupOptions {
  /** The start config; `flow:` is restart-only (node-reload.ts). */
  readonly config: Config;
  readonly pool: EndpointPool;
  readonly registry: MetricsRegistry;
  readonly logger: Logger;
  /** Gateway clock in ms (the scraper's, so metrics staleness compares like with like). */
  readonly now: () => number;
  /** Predictions for latency-slo-admitter; without them that admitter is a config error. */
  readonly estimateLatency?: LatencyEstimator;
}

/** Running flow control: hand `flowControl` to the gateway, call `close` when shutdown starts. */
export interface FlowSetup {
  readonly flowControl: FlowControl;
  /** Rejects queued and later requests (flow_shutting_down), stops listening to the pool, closes the store. */
  close(): void;
}

/**
 * Starts flow control, or returns null after logging every config problem (fatal) when `flow:` names
 * policies that cannot be built. Resolves once Redis answered or its first connection attempt failed
 * (a gateway starts while Redis is down; the limiter admits and counts until it is back).
 */
export async function startFlowControl(options: FlowSetupOptions): Promise<FlowSetup | null> {
  const { config, logger, pool } = options;
  const flow = config.flow;
  const state = { isClosed: false };
  const onStoreError = storeErrorLogger(logger, options.now, state);
  const store: RateLimitStore =
    flow.redis_url === undefined
      ? createMemoryRateLimitStore({ now: options.now })
      : await connectRedisRateLimitStore(flow.redis_url, flow.redis_key_prefix, onStoreError);
  const rateLimiter = createRateLimiter({
    store,
    storeTimeoutMs: flow.rate_limit_store_timeout_ms,
    onStoreError,
  });
  const built = buildAdmission(options, rateLimiter);
  if (!built.ok) {
    rateLimiter.close();
    logger.fatal({ problems: built.problems }, "invalid flow control config");
    return null;
  }
  const admission = registerFlowMetrics(options.registry, { admission: built.admission, rateLimiter });
  // Capacity may have freed: an endpoint joined or recovered, or a scrape shows shorter engine queues.
  const notifyAll = () => admission.notify();
  const stopListening = [pool.onChange(notifyAll), pool.onMetrics(notifyAll)];
  logger.info(
    { enabled: flow.enabled, rateLimitStore: flow.redis_url === undefined ? "memory" : "redis" },
    flow.enabled ? "flow control on" : "flow control off; per-key rate limits enforced",
  );
  return {
    flowControl: { admission, config: flow },
    close() {
      state.isClosed = true;
      for (const stop of stopListening) stop();
      admission.close();
      rateLimiter.close();
    },
  };
}

function buildAdmission(
  options: FlowSetupOptions,
  rateLimiter: RateLimiter,
): { ok: true; admission: Admission } | { ok: false; problems: readonly ConfigProblem[] } {
  const { config, pool, now } = options;
  if (!config.flow.enabled) return { ok: true, admission: createRateLimitAdmission({ rateLimiter, now }) };
  const created = createAdmission({
    config: config.flow,
    now,
    snapshot: (model) => pool.candidates(model),
    rateLimiter,
    metricsIntervalMs: config.scheduler.metricsIntervalMs,
    ...(options.estimateLatency === undefined ? {} : { estimateLatency: options.estimateLatency }),
  });
  return created.ok ? created : { ok: false, problems: created.problems };
}

/**
 * Logs flow_rate_limit_store_failed at most once per interval, saying how many were not logged. After
 * close the store is gone on purpose (token debits of draining requests fail); those are counted only.
 */
function storeErrorLogger(
  logger: Logger,
  now: () => number,
  state: { readonly isClosed: boolean },
): (error: Error) => void {
  let lastLoggedMs = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  return function onRateLimitStoreError(error: Error) {
    if (state.isClosed) return;
    if (now() - lastLoggedMs < STORE_ERROR_LOG_INTERVAL_MS) {
      unlogged++;
      return;
    }
    lastLoggedMs = now();
    logger.warn(
      { err: error, code: "flow_rate_limit_store_failed", notLoggedSinceLast: unlogged },
      "rate-limit store failed; the request was admitted without its shared limit",
    );
    unlogged = 0;
  };
}
