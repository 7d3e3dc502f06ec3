// Tracing: settings from the file and the OTEL_* variables, the no-op tracer when off, the request
// span tree, W3C traceparent injection and extraction, sampling, and counted export failures.
import { describe, expect, test } from "bun:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { InMemorySpanExporter, type SpanExporter } from "@opentelemetry/sdk-trace";
import type { TelemetryConfig } from "../../src/config/index.ts";
import {
  createLogger,
  createMetricsRegistry,
  createTracing,
  DEFAULT_OTLP_TRACES_URL,
  DISABLED_TRACING,
  resolveTracingSettings,
  startRequestTrace,
  type TracingSettings,
  traceHeaders,
} from "../../src/telemetry/index.ts";

const OFF: TelemetryConfig["tracing"] = { enabled: false, service_name: "llmux", sample_ratio: 1 };
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0([01])$/;

function settingsOf(config: Partial<TelemetryConfig["tracing"]>, env: Record<string, string> = {}) {
  const result = resolveTracingSettings({ ...OFF, ...config }, env);
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.settings;
}

describe("resolveTracingSettings", () => {
  test("is off by default, with the OTLP/HTTP default URL", () => {
    expect(settingsOf({})).toEqual({
      isEnabled: false,
      url: DEFAULT_OTLP_TRACES_URL,
      serviceName: "llmux",
      sampleRatio: 1,
    });
  });

  test.each([
    ["config enabled", { enabled: true }, {}, true],
    ["OTEL_TRACES_EXPORTER=otlp", {}, { OTEL_TRACES_EXPORTER: "otlp" }, true],
    ["OTEL_SDK_DISABLED=true over the config", { enabled: true }, { OTEL_SDK_DISABLED: "true" }, false],
    ["OTEL_TRACES_EXPORTER=none over the config", { enabled: true }, { OTEL_TRACES_EXPORTER: "none" }, false],
  ])("%s → enabled %p", (_, config, env, isEnabled) => {
    expect(settingsOf(config, env).isEnabled).toBe(isEnabled);
  });

  test("the variables override the file: endpoint, service name and sampler ratio", () => {
    const config = {
      enabled: true,
      endpoint: "http://file:4318/v1/traces",
      service_name: "from-file",
      sample_ratio: 1,
    };
    expect(settingsOf(config)).toMatchObject({ url: "http://file:4318/v1/traces", serviceName: "from-file" });
    expect(settingsOf(config, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://general:4318/" }).url).toBe(
      "http://general:4318/v1/traces",
    );
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://general:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://specific:9999/custom",
      OTEL_SERVICE_NAME: "from-env",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
    };
    expect(settingsOf(config, env)).toEqual({
      isEnabled: true,
      url: "http://specific:9999/custom",
      serviceName: "from-env",
      sampleRatio: 0.25,
    });
  });

  test("reports every bad variable at once", () => {
    const result = resolveTracingSettings(OFF, {
      OTEL_TRACES_EXPORTER: "zipkin",
      OTEL_EXPORTER_OTLP_ENDPOINT: "not a url",
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "2",
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((p) => p.split(":")[0])).toEqual([
      "OTEL_TRACES_EXPORTER",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_TRACES_SAMPLER_ARG",
    ]);
  });
});

function enabled(overrides: Partial<TracingSettings> = {}): TracingSettings {
  return {
    isEnabled: true,
    url: DEFAULT_OTLP_TRACES_URL,
    serviceName: "llmux-test",
    sampleRatio: 1,
    ...overrides,
  };
}

function tracingWith(exporter: SpanExporter, settings = enabled()) {
  const registry = createMetricsRegistry();
  const logger = createLogger({ level: "silent", format: "json" });
  return { tracing: createTracing(settings, { logger, registry, version: "9.9.9", exporter }), registry };
}

describe("createTracing", () => {
  test("off, it is the shared no-op: no span is recorded and no header is made", () => {
    const tracing = createTracing(settingsOf({}), {
      logger: createLogger({ level: "silent", format: "json" }),
      registry: createMetricsRegistry(),
      version: "1",
    });
    expect(tracing).toBe(DISABLED_TRACING);
    expect(tracing.startSpan("x", { kind: SpanKind.SERVER }).isRecording()).toBe(false);
    expect(traceHeaders(tracing.startSpan("x", { kind: SpanKind.SERVER }))).toEqual({});
    expect(startRequestTrace(tracing, "llmux.request", { atMs: 1, attributes: {} })).toBeNull();
  });

  test("a request trace is a server span with its phases and attempts as children", async () => {
    const exporter = new InMemorySpanExporter();
    const { tracing } = tracingWith(exporter);
    const trace = startRequestTrace(tracing, "llmux.request", { atMs: 1_000, attributes: { model: "m" } });
    if (trace === null) throw new Error("tracing is on");
    trace.phase("llmux.schedule", 1_001, 1_002, { winner: "e0" });
    trace.startAttempt("llmux.upstream", 1_002, { endpoint: "e0" });
    trace.endAttempt(1_010, { status: 503 }, "http_503");
    trace.startAttempt("llmux.upstream", 1_020, { endpoint: "e1" });
    trace.attemptEvent("first_token", 1_030);
    trace.end(1_050, { status: 200 }, null);
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === "llmux.request");
    expect(root?.kind).toBe(SpanKind.SERVER);
    expect(root?.attributes).toEqual({ model: "m", status: 200 });
    expect(root?.resource.attributes["service.name"]).toBe("llmux-test");
    const children = spans.filter((s) => s !== root);
    expect(children.map((s) => [s.name, s.kind, s.parentSpanContext?.spanId])).toEqual([
      ["llmux.schedule", SpanKind.INTERNAL, root?.spanContext().spanId],
      ["llmux.upstream", SpanKind.CLIENT, root?.spanContext().spanId],
      ["llmux.upstream", SpanKind.CLIENT, root?.spanContext().spanId],
    ]);
    expect(children[1]?.status).toEqual({ code: SpanStatusCode.ERROR, message: "http_503" });
    expect(children[2]?.events.map((e) => e.name)).toEqual(["first_token"]);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const [traceId, spanId] = TRACEPARENT.exec(trace.headers.traceparent ?? "")?.slice(1) ?? [];
    expect([traceId, spanId]).toEqual([root?.spanContext().traceId, root?.spanContext().spanId]);
  });

  test("continues an incoming traceparent", async () => {
    const exporter = new InMemorySpanExporter();
    const { tracing } = tracingWith(exporter);
    const incoming = new Headers({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
    startRequestTrace(tracing, "llmux.request", { atMs: 1, attributes: {}, incoming })?.end(2, {}, null);
    await tracing.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(span?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
  });

  test("sample_ratio 0 records nothing but still propagates an unsampled traceparent", async () => {
    const exporter = new InMemorySpanExporter();
    const { tracing } = tracingWith(exporter, enabled({ sampleRatio: 0 }));
    const trace = startRequestTrace(tracing, "llmux.request", { atMs: 1, attributes: {} });
    trace?.end(2, {}, null);
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(TRACEPARENT.exec(trace?.headers.traceparent ?? "")?.[3]).toBe("0");
  });

  test("a failed export is counted; a flush reports it, the shutdown does not throw", async () => {
    const failing: SpanExporter = {
      export: (_spans, done) => done({ code: ExportResultCode.FAILED, error: new Error("collector down") }),
      shutdown: () => Promise.resolve(),
    };
    const { tracing, registry } = tracingWith(failing);
    startRequestTrace(tracing, "llmux.request", { atMs: 1, attributes: {} })?.end(2, {}, null);
    await expect(tracing.forceFlush()).rejects.toThrow("span export failed");
    expect(await registry.metrics()).toContain('llmux_telemetry_span_exports_total{outcome="failure"} 1');
    startRequestTrace(tracing, "llmux.request", { atMs: 3, attributes: {} })?.end(4, {}, null);
    await tracing.shutdown();
    expect(await registry.metrics()).toContain('llmux_telemetry_span_exports_total{outcome="failure"} 2');
  });
});
