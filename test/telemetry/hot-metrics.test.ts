import { describe, expect, test } from "bun:test";
import {
  Counter,
  createMetricsRegistry,
  exposeMetrics,
  Histogram,
  HotCounter,
  HotHistogram,
  type MetricsRegistry,
} from "../../src/telemetry/index.ts";

const BUCKETS = [0.005, 0.01, 0.1, 1];
const OBSERVED = [0.001, 0.005, 0.0051, 0.05, 0.5, 1, 2, 7.25, Number.NaN];

/** The same series through prom-client and through the hot metrics, rendered by one registry type each. */
function pair(): { reference: MetricsRegistry; hot: MetricsRegistry } {
  const reference = createMetricsRegistry();
  const hot = createMetricsRegistry();
  const refCounter = new Counter({
    name: "t_requests_total",
    help: "Requests.",
    labelNames: ["model", "status"] as const,
    registers: [reference],
  });
  const hotCounter = new HotCounter({
    name: "t_requests_total",
    help: "Requests.",
    labelNames: ["model", "status"] as const,
    registers: [hot],
  });
  const refHistogram = new Histogram({
    name: "t_latency_seconds",
    help: "Latency.",
    labelNames: ["model"] as const,
    buckets: BUCKETS,
    registers: [reference],
  });
  const hotHistogram = new HotHistogram({
    name: "t_latency_seconds",
    help: "Latency.",
    labelNames: ["model"] as const,
    buckets: BUCKETS,
    registers: [hot],
  });
  const hotOk = hotCounter.labels('m"1', "200");
  for (let i = 0; i < 3; i++) {
    refCounter.inc({ model: 'm"1', status: "200" });
    hotOk.inc();
  }
  refCounter.inc({ model: "m2", status: "503" }, 2.5);
  hotCounter.inc({ model: "m2", status: "503" }, 2.5);
  const hotSeries = hotHistogram.labels("m1");
  for (const value of OBSERVED) {
    if (Number.isFinite(value)) refHistogram.observe({ model: "m1" }, value);
    hotSeries.observe(value);
  }
  refHistogram.observe({ model: "m2" }, 0.02);
  hotHistogram.observe({ model: "m2" }, 0.02);
  return { reference, hot };
}

describe("hot metrics", () => {
  test("render exactly as prom-client's counter and histogram, in both exposition formats", async () => {
    const { reference, hot } = pair();
    const text = await exposeMetrics(hot, null);
    expect(text).toEqual(await exposeMetrics(reference, null));
    expect(text.body).toContain('t_latency_seconds_bucket{le="0.005",model="m1"} 2');
    expect(text.body).toContain('t_latency_seconds_bucket{le="+Inf",model="m1"} 8');
    expect(text.body).toContain('t_requests_total{model="m\\"1",status="200"} 3');
    const openMetrics = "application/openmetrics-text; version=1.0.0";
    expect(await exposeMetrics(hot, openMetrics)).toEqual(await exposeMetrics(reference, openMetrics));
    // The registry renames counters for OpenMetrics; the Prometheus text afterwards is unchanged.
    expect(await exposeMetrics(hot, null)).toEqual(await exposeMetrics(reference, null));
  });

  test("a counter ignores negative and non-finite increments; reset drops every series", async () => {
    const registry = createMetricsRegistry();
    const counter = new HotCounter({ name: "t_total", help: "T.", registers: [registry] });
    const series = counter.labels();
    series.inc(-1);
    series.inc(Number.POSITIVE_INFINITY);
    series.inc(2);
    expect((await counter.get()).values).toEqual([{ value: 2, labels: {} }]);
    counter.reset();
    expect((await counter.get()).values).toEqual([]);
  });

  test("a label tuple resolves to the same series every time", () => {
    const histogram = new HotHistogram({
      name: "t_same_seconds",
      help: "T.",
      labelNames: ["model"] as const,
      buckets: BUCKETS,
      registers: [],
    });
    expect(histogram.labels("m")).toBe(histogram.labels("m"));
    expect(histogram.labels("m")).not.toBe(histogram.labels("n"));
  });

  test("wrong label values name the metric", () => {
    const counter = new HotCounter({
      name: "t_labelled_total",
      help: "T.",
      labelNames: ["a", "b"] as const,
      registers: [],
    });
    expect(() => counter.labels("only-one")).toThrow("t_labelled_total: expected 2 label values, got 1");
    expect(() => counter.inc({ a: "x" } as never)).toThrow("t_labelled_total: label b is missing");
  });
});
