// Prometheus series of each pooled engine as the gateway sees it (scraped load, prefix-cache counters,
// scrape age, health, circuit), read from the pool's snapshot at scrape time: an engine that leaves the
// pool leaves /metrics with it, so the instance label set stays bounded by the engines that exist.
import { type MetricsRegistry, registerCollected } from "../telemetry/index.ts";
import type { CircuitState, EndpointSnapshot, EngineMetrics } from "./types.ts";

export interface PoolMetricSources {
  /** Every endpoint now (EndpointPool.snapshot). */
  snapshot(): readonly EndpointSnapshot[];
  /** Gateway clock in ms, the clock of EngineMetrics.scrapedAtMs. */
  now(): number;
}

type EngineLabel = "instance" | "model" | "role";
const ENGINE_LABELS: readonly EngineLabel[] = ["instance", "model", "role"];
const CIRCUIT_STATES: readonly CircuitState[] = ["closed", "open", "half-open"];

type ScrapedGauge = readonly [
  name: string,
  help: string,
  read: (metrics: EngineMetrics, nowMs: number) => number,
];

const SCRAPED_GAUGES: readonly ScrapedGauge[] = [
  [
    "llmux_engine_waiting_requests",
    "Requests waiting in the engine's queue, as last scraped.",
    (m) => m.waitingRequests,
  ],
  [
    "llmux_engine_running_requests",
    "Requests the engine is running, as last scraped.",
    (m) => m.runningRequests,
  ],
  [
    "llmux_engine_kv_cache_usage_ratio",
    "Share of the engine's KV-cache blocks in use (0-1, block-weighted over DP ranks), as last scraped.",
    (m) => m.kvUsageRatio,
  ],
  [
    "llmux_engine_metrics_age_seconds",
    "Time since the engine's /metrics was last read successfully (grows while scrapes fail).",
    (m, nowMs) => Math.max(0, nowMs - m.scrapedAtMs) / 1000,
  ],
];

type EngineCounterField = "prefixCacheQueriedTokens" | "prefixCacheHitTokens";

const ENGINE_COUNTERS: readonly (readonly [string, EngineCounterField, string])[] = [
  [
    "llmux_engine_prefix_cache_queried_tokens_total",
    "prefixCacheQueriedTokens",
    "Prompt tokens the engine looked up in its prefix cache (its own counter; resets with the engine).",
  ],
  [
    "llmux_engine_prefix_cache_hit_tokens_total",
    "prefixCacheHitTokens",
    "Prompt tokens the engine found in its prefix cache (its own counter; resets with the engine).",
  ],
];

/** Registers the engine series on `registry`; every value is read from `sources` on each scrape. */
export function registerPoolMetrics(registry: MetricsRegistry, sources: PoolMetricSources): void {
  const registers = [registry];
  const labelNames = ENGINE_LABELS;
  for (const [name, help, read] of SCRAPED_GAUGES) {
    registerCollected("gauge", { name, help, labelNames, registers }, () => {
      const nowMs = sources.now();
      // Absent until the first successful scrape: a 0 would read as an idle engine.
      return sources
        .snapshot()
        .flatMap((e) => (e.metrics === null ? [] : [[labelsOf(e), read(e.metrics, nowMs)] as const]));
    });
  }
  for (const [name, field, help] of ENGINE_COUNTERS) {
    registerCollected("counter", { name, help, labelNames, registers }, () =>
      sources.snapshot().flatMap((e) => {
        const value = e.metrics?.[field];
        return value !== undefined && value >= 0 ? [[labelsOf(e), value] as const] : [];
      }),
    );
  }
  registerStateGauges(registers, sources);
}

/** Gateway-side state: in-flight requests, health and the circuit breaker, for every pooled engine. */
function registerStateGauges(registers: MetricsRegistry[], sources: PoolMetricSources): void {
  registerCollected(
    "gauge",
    {
      name: "llmux_engine_in_flight_requests",
      help: "Requests this gateway has sent to the engine and not yet finished.",
      labelNames: ENGINE_LABELS,
      registers,
    },
    () => sources.snapshot().map((e) => [labelsOf(e), e.inFlight.requests] as const),
  );
  registerCollected(
    "gauge",
    {
      name: "llmux_engine_healthy",
      help: "1 when the engine passes its health checks, else 0.",
      labelNames: ENGINE_LABELS,
      registers,
    },
    () => sources.snapshot().map((e) => [labelsOf(e), e.isHealthy ? 1 : 0] as const),
  );
  registerCollected(
    "gauge",
    {
      name: "llmux_engine_circuit_state",
      help: "The engine's circuit breaker: 1 on its current state (closed, open, half-open), 0 on the others.",
      labelNames: [...ENGINE_LABELS, "state"],
      registers,
    },
    () =>
      sources
        .snapshot()
        .flatMap((e) =>
          CIRCUIT_STATES.map((state) => [{ ...labelsOf(e), state }, e.circuit === state ? 1 : 0] as const),
        ),
  );
}

function labelsOf(endpoint: EndpointSnapshot): Record<EngineLabel, string> {
  const { descriptor } = endpoint;
  return { instance: descriptor.id, model: descriptor.models[0] ?? "", role: descriptor.role };
}
