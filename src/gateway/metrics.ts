// The gateway's own metrics, measured at the gateway for every request: counts by model, endpoint,
// status and API-key name; TTFT, inter-token and end-to-end latency; tokens in, out and cached.
import {
  Counter,
  Gauge,
  Histogram,
  ITL_BUCKETS_SECONDS,
  LATENCY_BUCKETS_SECONDS,
  type MetricsRegistry,
} from "../telemetry/index.ts";

export interface GatewayMetrics {
  readonly requests: Counter<"model" | "endpoint" | "status" | "key">;
  readonly ttftSeconds: Histogram<"model">;
  readonly itlSeconds: Histogram<"model">;
  readonly e2eSeconds: Histogram<"model">;
  readonly tokens: Counter<"model" | "kind" | "key">;
  readonly inFlight: Gauge;
  readonly retries: Counter<"endpoint" | "reason">;
}

/** Registers the gateway metrics on `registry`; `inFlight` reads its value at scrape time. */
export function createGatewayMetrics(registry: MetricsRegistry, inFlight: () => number): GatewayMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: "llmux_gateway_requests_total",
      help: "Requests finished by the gateway, by model, serving endpoint, HTTP status and API-key name.",
      labelNames: ["model", "endpoint", "status", "key"],
      registers,
    }),
    ttftSeconds: new Histogram({
      name: "llmux_gateway_ttft_seconds",
      help: "Time to first token measured at the gateway (non-streaming: time to the full response).",
      labelNames: ["model"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    itlSeconds: new Histogram({
      name: "llmux_gateway_itl_seconds",
      help: "Time between streamed content chunks, measured at the gateway.",
      labelNames: ["model"],
      buckets: ITL_BUCKETS_SECONDS,
      registers,
    }),
    e2eSeconds: new Histogram({
      name: "llmux_gateway_e2e_seconds",
      help: "End-to-end request latency measured at the gateway.",
      labelNames: ["model"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    tokens: new Counter({
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
  };
}
