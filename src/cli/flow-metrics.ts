// Prometheus series of flow control (llm-d's flow_control_* family under llmux_flow_): queue size by model
// and priority band, queued bytes, saturation, in-flight, admissions and rejections by outcome, rate-limit
// store failures, read from the admission's stats at scrape time; and the queue wait, observed per request.
import type { Admission, AdmissionRequest, AdmissionStats, AdmitResult, RateLimiter } from "../flow/index.ts";
import {
  HotHistogram,
  LATENCY_BUCKETS_SECONDS,
  type MetricsRegistry,
  registerCollected,
} from "../telemetry/index.ts";

export interface FlowMetricSources {
  readonly admission: Admission;
  readonly rateLimiter: RateLimiter;
}

/** Registers the flow series; returns the admission wrapped so each result's wait is observed. */
export function registerFlowMetrics(registry: MetricsRegistry, sources: FlowMetricSources): Admission {
  const registers = [registry];
  const { admission, rateLimiter } = sources;
  // Bands seen once stay exported at 0, so a drained queue reads 0 rather than vanishing.
  const seenBands = new Set<string>();
  registerCollected(
    "gauge",
    {
      name: "llmux_flow_queue_size",
      help: "Requests waiting in flow control's queues, by model and priority band.",
      labelNames: ["model", "priority"],
      registers,
    },
    () => {
      const current = new Map<string, number>();
      for (const [model, stats] of Object.entries(admission.stats().models)) {
        for (const [priority, size] of Object.entries(stats.bands)) {
          current.set(JSON.stringify([model, priority]), size);
        }
      }
      for (const key of current.keys()) seenBands.add(key);
      return [...seenBands].map((key) => {
        const [model, priority] = JSON.parse(key) as [string, string];
        return [{ model, priority }, current.get(key) ?? 0] as const;
      });
    },
  );
  registerCollected(
    "gauge",
    { name: "llmux_flow_queue_bytes", help: "Request body bytes held in flow control's queues.", registers },
    () => admission.stats().queuedBytes,
  );
  const perModel = (name: string, help: string, read: (stats: AdmissionStats["models"][string]) => number) =>
    registerCollected("gauge", { name, help, labelNames: ["model"], registers }, () =>
      Object.entries(admission.stats().models).map(([model, stats]) => [{ model }, read(stats)] as const),
    );
  perModel(
    "llmux_flow_pool_saturation",
    "Pool saturation per model as flow control's detectors see it (>= 1 holds dispatches and sheds sheddable requests).",
    (stats) => stats.saturation,
  );
  perModel(
    "llmux_flow_in_flight_requests",
    "Requests admitted by flow control and not yet finished, by model.",
    (stats) => stats.inFlight,
  );
  registerCollected(
    "counter",
    {
      name: "llmux_flow_requests_total",
      help: "Admission outcomes: admitted, admitted_after_queue, or the flow error code of a rejection (docs/errors.md).",
      labelNames: ["outcome"],
      registers,
    },
    () => Object.entries(admission.stats().outcomes).map(([outcome, count]) => [{ outcome }, count] as const),
  );
  registerCollected(
    "counter",
    {
      name: "llmux_flow_rate_limit_store_failures_total",
      help: "Rate-limit store calls that failed or timed out (flow_rate_limit_store_failed); those requests were admitted.",
      registers,
    },
    () => rateLimiter.stats().storeFailures,
  );
  const queueWait = new HotHistogram({
    name: "llmux_flow_queue_wait_seconds",
    help: "Time from arrival at admission to its result, by model and outcome (dispatched, rejected).",
    labelNames: ["model", "outcome"] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  return {
    admit: async function admitObserved(request: AdmissionRequest): Promise<AdmitResult> {
      const result = await admission.admit(request);
      const outcome = result.ok ? "dispatched" : "rejected";
      queueWait.observe({ model: request.model, outcome }, result.queuedMs / 1000);
      return result;
    },
    notify: (model) => admission.notify(model),
    saturation: (model) => admission.saturation(model),
    stats: () => admission.stats(),
    close: () => admission.close(),
  };
}
