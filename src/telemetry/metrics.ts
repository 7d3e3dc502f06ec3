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
