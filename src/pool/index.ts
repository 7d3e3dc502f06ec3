// Public surface of the pool: the endpoint set, its state and in-flight accounting.
export { createCircuitBreaker } from "./circuit-breaker.ts";
export {
  EndpointPool,
  type EndpointPoolOptions,
  type PoolChangeListener,
  type ResolvedModel,
} from "./endpoint-pool.ts";
export { type HealthCheckerOptions, startHealthChecker } from "./health.ts";
export { InFlightTracker } from "./in-flight.ts";
export { type PoolMetricSources, registerPoolMetrics } from "./pool-metrics.ts";
export type {
  MetricFamily,
  MetricSample,
  MetricType,
  ParsedExposition,
  ParsePrometheusOptions,
} from "./scrape/prometheus-exposition.ts";
export { labelValue, parsePrometheusText } from "./scrape/prometheus-text.ts";
export {
  type EndpointScrapeStats,
  type FetchLike,
  type MetricsScraper,
  type MetricsScraperOptions,
  type MetricsScraperStats,
  MIN_SCRAPE_INTERVAL_MS,
  startMetricsScraper,
} from "./scrape/scraper.ts";
export { extractVllmMetrics, VLLM_METRIC_FAMILIES, type VllmExtraction } from "./scrape/vllm-metrics.ts";
export type {
  CircuitState,
  EndpointDescriptor,
  EndpointRole,
  EndpointSnapshot,
  EngineMetrics,
  InFlightLoad,
  LoadLease,
} from "./types.ts";
