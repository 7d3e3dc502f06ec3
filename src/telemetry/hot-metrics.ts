// Counters and histograms for the request path: each label tuple resolves once to a series whose inc or
// observe only adds numbers. Written by hand because prom-client re-hashes the label object, validates
// it and looks up a string-keyed map on every call, even through a child from labels(), and keys
// histogram buckets by their float bound; in CPU profiles of a proxied request that was the largest
// JavaScript cost. These register with the same prom-client Registry (its metric interface: name, help,
// type, get()) and are rendered by its Prometheus and OpenMetrics exposition like any other metric.
import type { Metric } from "prom-client";
import type { MetricsRegistry } from "./metrics.ts";

export interface HotMetricSpec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  readonly registers: MetricsRegistry[];
}

export interface HotHistogramSpec<L extends string> extends HotMetricSpec<L> {
  /** Upper bounds in increasing order; +Inf is implied. */
  readonly buckets: readonly number[];
}

/** One label tuple's counter. */
export interface HotCounterSeries {
  inc(value?: number): void;
}

/** One label tuple's histogram. */
export interface HotHistogramSeries {
  observe(value: number): void;
}

type Labels<L extends string> = Readonly<Record<L, string | number>>;

/** One exposition sample, as prom-client's registry reads it. */
interface MetricValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName?: string;
}

interface MetricObject {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "histogram";
  readonly values: MetricValue[];
  readonly aggregator: "sum";
}

/** The separator of label values in a series key; label values never contain it in practice (U+0000). */
const KEY_SEPARATOR = "\u0000";

abstract class HotMetric<L extends string, S, H> {
  /** Mutable: prom-client's registry renames counters for OpenMetrics (drops and re-adds `_total`). */
  name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly aggregator = "sum";
  protected readonly series = new Map<
    string,
    { readonly labels: Record<string, string | number>; readonly state: S; readonly handle: H }
  >();

  constructor(spec: HotMetricSpec<L>) {
    this.name = spec.name;
    this.help = spec.help;
    this.labelNames = spec.labelNames ?? [];
    // The registry's declared parameter is prom-client's own classes; at run time it reads only the
    // name, type and get() this class provides (registry.js), which the exposition test checks.
    for (const registry of spec.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** Drops every series (prom-client's reset); series resolved before no longer count. */
  reset(): void {
    this.series.clear();
  }

  /** The series of these label values, in labelNames order; the same object on every call. */
  labels(...values: (string | number)[]): H {
    const key = values.join(KEY_SEPARATOR);
    let entry = this.series.get(key);
    if (entry === undefined) {
      if (values.length !== this.labelNames.length) {
        throw new Error(
          `${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`,
        );
      }
      const labels: Record<string, string | number> = {};
      this.labelNames.forEach((name, i) => {
        labels[name] = values[i] as string | number;
      });
      const state = this.newState();
      entry = { labels, state, handle: this.handleOf(state) };
      this.series.set(key, entry);
    }
    return entry.handle;
  }

  protected valuesOf(labels: Labels<L> | undefined): (string | number)[] {
    return this.labelNames.map((name) => {
      const value = labels?.[name];
      if (value === undefined) throw new Error(`${this.name}: label ${name} is missing`);
      return value;
    });
  }

  protected abstract newState(): S;

  protected abstract handleOf(state: S): H;
}

interface CounterState {
  value: number;
}

/** A counter whose series are resolved once with labels(...) and then only add. */
export class HotCounter<L extends string = never> extends HotMetric<L, CounterState, HotCounterSeries> {
  readonly type = "counter";

  /** Adds `value` (default 1) to the series of `labels`; for calls off the request path. */
  inc(labels?: Labels<L>, value = 1): void {
    this.labels(...this.valuesOf(labels)).inc(value);
  }

  async get(): Promise<MetricObject> {
    const values: MetricValue[] = [];
    for (const { labels, state } of this.series.values()) values.push({ value: state.value, labels });
    return { name: this.name, help: this.help, type: "counter", values, aggregator: "sum" };
  }

  protected newState(): CounterState {
    return { value: 0 };
  }

  protected handleOf(state: CounterState): HotCounterSeries {
    return {
      inc(value = 1) {
        if (value >= 0 && Number.isFinite(value)) state.value += value;
      },
    };
  }
}

interface HistogramState {
  /** Per bucket (not cumulative), the last one for +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A histogram whose series are resolved once with labels(...) and then only count. */
export class HotHistogram<L extends string = never> extends HotMetric<L, HistogramState, HotHistogramSeries> {
  readonly type = "histogram";
  private readonly bounds: Float64Array;

  constructor(spec: HotHistogramSpec<L>) {
    super(spec);
    this.bounds = Float64Array.from(spec.buckets);
  }

  /** Observes `value` in the series of `labels`; for calls off the request path. */
  observe(labels: Labels<L> | undefined, value: number): void {
    this.labels(...this.valuesOf(labels)).observe(value);
  }

  async get(): Promise<MetricObject> {
    const values: MetricValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { labels, state } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += state.counts[i] as number;
        values.push({ value: cumulative, labels: { le: bound, ...labels }, metricName: bucketName });
      });
      values.push({ value: state.count, labels: { le: "+Inf", ...labels }, metricName: bucketName });
      values.push({ value: state.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: state.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: "histogram", values, aggregator: "sum" };
  }

  protected newState(): HistogramState {
    return { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
  }

  protected handleOf(state: HistogramState): HotHistogramSeries {
    const bounds = this.bounds;
    return {
      observe(value) {
        if (!Number.isFinite(value)) return;
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) i++;
        (state.counts[i] as number)++;
        state.sum += value;
        state.count++;
      },
    };
  }
}
