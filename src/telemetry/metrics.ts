// Prometheus metrics: a registry per process (no global state) and exposition in the Prometheus
// text format, or OpenMetrics when the scraper asks for it. Built on prom-client.
import { Counter, Gauge, Histogram, Registry, type RegistryContentType } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** A registry that can render either exposition format. */
export type MetricsRegistry = Registry<RegistryContentType>;

/** Creates an empty registry (never prom-client's global one). */
export function createMetricsRegistry(): MetricsRegistry {
  return new Registry<RegistryContentType>();
}

/** One labelled value a scrape-time metric reports. */
export type CollectedSample = readonly [labels: Readonly<Record<string, string | number>>, value: number];

/** What a scrape-time metric reads: samples, one unlabelled value, or null for no value now. */
export type CollectedValues = Iterable<CollectedSample> | number | null;

export interface CollectedMetricSpec {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  readonly registers: MetricsRegistry[];
}

/**
 * A gauge or counter that mirrors state its owner already keeps (pool, supervisor, index, predictor):
 * each scrape clears it and refills it from `read`, so the series of engines, instances or flows that
 * are gone disappear with them and nothing is counted twice.
 */
export function registerCollected(
  kind: "gauge" | "counter",
  spec: CollectedMetricSpec,
  read: () => CollectedValues,
): void {
  const base = {
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: spec.registers,
  };
  if (kind === "gauge") {
    new Gauge({
      ...base,
      collect() {
        this.reset();
        fill(
          read(),
          (labels, value) => this.set(labels, value),
          (value) => this.set(value),
        );
      },
    });
    return;
  }
  new Counter({
    ...base,
    collect() {
      this.reset();
      fill(
        read(),
        (labels, value) => this.inc(labels, value),
        (value) => this.inc(value),
      );
    },
  });
}

function fill(
  values: CollectedValues,
  labelled: (labels: Readonly<Record<string, string | number>>, value: number) => void,
  single: (value: number) => void,
): void {
  if (values === null) return;
  if (typeof values === "number") {
    single(values);
    return;
  }
  for (const [labels, value] of values) labelled(labels, value);
}

/** Seconds buckets for request latencies (5 ms .. 1 h, like llm-d's EPP latency buckets). */
export const LATENCY_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
];

/** Seconds buckets for inter-token latency (0.5 ms .. 10 s). */
export const ITL_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

/** Renders `registry` for a scrape; OpenMetrics when the Accept header asks for it. */
export async function exposeMetrics(registry: MetricsRegistry, accept: string | null): Promise<Exposition> {
  if (accept?.includes("application/openmetrics-text") === true) {
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const body = await registry.metrics();
    registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
    return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, body };
  }
  return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await registry.metrics() };
}
