// What the Prometheus text parser returns: metric families by name with their typed samples.

export type MetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "gaugehistogram"
  | "summary"
  | "info"
  | "stateset"
  | "untyped"
  | "unknown";

export interface MetricSample {
  /** The sample's own name: `x_bucket`, `x_sum`, `x_total`, or the family name. */
  readonly name: string;
  /** Label pairs flattened in exposition order: [name0, value0, name1, value1, ...]. */
  readonly labels: readonly string[];
  readonly value: number;
  /** Milliseconds since the epoch when the line carries a timestamp, else null. */
  readonly timestampMs: number | null;
}

export interface MetricFamily {
  /** As declared by `# TYPE`/`# HELP`; counters are `x_total` in 0.0.4 and `x` in OpenMetrics. */
  readonly name: string;
  readonly type: MetricType;
  readonly help: string | null;
  readonly samples: readonly MetricSample[];
}

export interface ParsedExposition {
  /** Families by name, in first-seen order. */
  readonly families: ReadonlyMap<string, MetricFamily>;
  readonly sampleCount: number;
  /** Sample lines of families outside `onlyFamilies`, skipped without parsing. */
  readonly skippedSampleCount: number;
  /** Lines that could not be parsed and were dropped. */
  readonly problemCount: number;
  /** "line N: reason" of the first problem, for a log line. */
  readonly firstProblem: string | null;
}

export interface ParsePrometheusOptions {
  /** Parse only these families; sample lines of the others are skipped after a name check. */
  readonly onlyFamilies?: ReadonlySet<string>;
  /** OpenMetrics timestamps are seconds; 0.0.4 timestamps are milliseconds. */
  readonly isOpenMetrics?: boolean;
}
