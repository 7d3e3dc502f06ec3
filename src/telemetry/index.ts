// Public surface of telemetry: logging, child-output line splitting and Prometheus metrics.

export {
  HotCounter,
  type HotCounterSeries,
  HotHistogram,
  type HotHistogramSeries,
} from "./hot-metrics.ts";
export { forEachLine, MAX_LINE_CHARS } from "./line-splitter.ts";
export { createLogger, flushLogger, type LogFormat, type Logger, type LoggerOptions } from "./log.ts";
export {
  type CollectedMetricSpec,
  type CollectedSample,
  type CollectedValues,
  Counter,
  createMetricsRegistry,
  type Exposition,
  exposeMetrics,
  Gauge,
  Histogram,
  ITL_BUCKETS_SECONDS,
  LATENCY_BUCKETS_SECONDS,
  type MetricsRegistry,
  Registry,
  registerCollected,
} from "./metrics.ts";
export {
  createTracing,
  DEFAULT_OTLP_TRACES_URL,
  DISABLED_TRACING,
  type RequestTrace,
  resolveTracingSettings,
  type SpanStart,
  startRequestTrace,
  type Tracing,
  type TracingOptions,
  type TracingSettings,
  type TracingSettingsResult,
  traceHeaders,
} from "./tracing.ts";
