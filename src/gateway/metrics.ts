// The gateway's own metrics, measured at the gateway for every request: counts by model, endpoint,
// status and API-key name; TTFT, inter-token and end-to-end latency; tokens in, out and cached.
import {
  Counter,
  Gauge,
  Histogram,
  HotCounter,
  HotHistogram,
  type HotHistogramSeries,
  ITL_BUCKETS_SECONDS,
  LATENCY_BUCKETS_SECONDS,
  type MetricsRegistry,
} from "../telemetry/index.ts";
import { createRoutingMetrics, type RoutingMetrics } from "./routing-metrics.ts";

/** The per-model latency series, resolved once per model. */
export interface ModelSeries {
  readonly ttft: HotHistogramSeries;
  readonly itl: HotHistogramSeries;
  readonly e2e: HotHistogramSeries;
}

/** P/D disaggregation (src/pd): decisions, the prefill leg, and the TTFT it leads to. */
export interface PdSeries {
  /** One per P/D handler decision: decision=decode-only|prefill-decode (llm-d's disagg_decision_total). */
  readonly decisions: Counter<"decision">;
  /** Each prefill attempt, by outcome=ok|client_error|failed|timeout|aborted. */
  readonly prefillSeconds: Histogram<"outcome">;
  /** First decode token minus the end of the prefill leg: KV transfer, first decode step, proxy hops. */
  readonly transferWaitSeconds: Histogram;
  /** Gateway TTFT of requests under a P/D handler, by mode=decode-only|prefill-decode as served. */
  readonly ttftSeconds: Histogram<"mode">;
  /** prefill-decode decisions served decode-only, by reason=prefill_failed|no_prefill_endpoint|no_kv_transfer_params|not_disaggregable. */
  readonly fallbacks: Counter<"reason">;
}

export interface GatewayMetrics {
  readonly requests: HotCounter<"model" | "endpoint" | "status" | "key">;
  readonly ttftSeconds: HotHistogram<"model">;
  readonly itlSeconds: HotHistogram<"model">;
  readonly e2eSeconds: HotHistogram<"model">;
  readonly tokens: HotCounter<"model" | "kind" | "key">;
  readonly inFlight: Gauge;
  readonly retries: Counter<"endpoint" | "reason">;
  readonly pd: PdSeries;
  /** Scheduler decisions and cached-token estimates versus engine reports. */
  readonly routing: RoutingMetrics;
  /** The model's TTFT, ITL and e2e series, resolved once per model (label sets are bounded). */
  forModel(model: string): ModelSeries;
}

/** Registers the gateway metrics on `registry`; `inFlight` reads its value at scrape time. */
export function createGatewayMetrics(registry: MetricsRegistry, inFlight: () => number): GatewayMetrics {
  const registers = [registry];
  const metrics = createSeries(registers, inFlight);
  const byModel = new Map<string, ModelSeries>();
  return {
    ...metrics,
    forModel(model) {
      let series = byModel.get(model);
      if (series === undefined) {
        series = {
          ttft: metrics.ttftSeconds.labels(model),
          itl: metrics.itlSeconds.labels(model),
          e2e: metrics.e2eSeconds.labels(model),
        };
        byModel.set(model, series);
      }
      return series;
    },
  };
}

type BaseMetrics = Omit<GatewayMetrics, "forModel">;

function createSeries(registers: MetricsRegistry[], inFlight: () => number): BaseMetrics {
  return {
    requests: new HotCounter({
      name: "llmux_gateway_requests_total",
      help: "Requests finished by the gateway, by model, serving endpoint, HTTP status and API-key name.",
      labelNames: ["model", "endpoint", "status", "key"],
      registers,
    }),
    ttftSeconds: new HotHistogram({
      name: "llmux_gateway_ttft_seconds",
      help: "Time to first token measured at the gateway (non-streaming: time to the full response).",
      labelNames: ["model"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    itlSeconds: new HotHistogram({
      name: "llmux_gateway_itl_seconds",
      help: "Time between streamed content chunks, measured at the gateway.",
      labelNames: ["model"],
      buckets: ITL_BUCKETS_SECONDS,
      registers,
    }),
    e2eSeconds: new HotHistogram({
      name: "llmux_gateway_e2e_seconds",
      help: "End-to-end request latency measured at the gateway.",
      labelNames: ["model"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    tokens: new HotCounter({
      name: "llmux_gateway_tokens_total",
      help: "Tokens as reported by the engines: kind=prompt|completion|cached.",
      labelNames: ["model", "kind", "key"],
      registers,
    }),
    inFlight: new Gauge({
      name: "llmux_gateway_in_flight_requests",
      help: "Requests the gateway is relaying now.",
      registers,
      collect() {
        this.set(inFlight());
      },
    }),
    retries: new Counter({
      name: "llmux_gateway_upstream_retries_total",
      help: "Attempts that failed before the first byte and were retried elsewhere, by endpoint and reason.",
      labelNames: ["endpoint", "reason"],
      registers,
    }),
    pd: createPdSeries(registers),
    routing: createRoutingMetrics(registers),
  };
}

function createPdSeries(registers: MetricsRegistry[]): PdSeries {
  return {
    decisions: new Counter({
      name: "llmux_pd_decisions_total",
      help: "P/D profile handler decisions: decode-only or prefill-decode.",
      labelNames: ["decision"],
      registers,
    }),
    prefillSeconds: new Histogram({
      name: "llmux_pd_prefill_duration_seconds",
      help: "Duration of each prefill-leg attempt, by outcome (ok, client_error, failed, timeout, aborted).",
      labelNames: ["outcome"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    transferWaitSeconds: new Histogram({
      name: "llmux_pd_transfer_wait_seconds",
      help: "Time from the end of the prefill leg to the first decode token (KV transfer and first decode step).",
      buckets: ITL_BUCKETS_SECONDS,
      registers,
    }),
    ttftSeconds: new Histogram({
      name: "llmux_pd_ttft_seconds",
      help: "End-to-end time to first token of requests under a P/D profile handler, by mode as served.",
      labelNames: ["mode"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    fallbacks: new Counter({
      name: "llmux_pd_fallbacks_total",
      help: "prefill-decode decisions served by the decode engine alone, by reason.",
      labelNames: ["reason"],
      registers,
    }),
  };
}
