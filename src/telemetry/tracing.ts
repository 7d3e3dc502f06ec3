// OpenTelemetry tracing: settings from `telemetry.tracing` and the OTEL_* variables, a TracerProvider
// exporting OTLP/HTTP JSON, and W3C trace-context headers. Spans are made and parented by hand: Bun.serve
// and fetch are invisible to auto-instrumentation, and streamed bodies lose the active context (bun-platform §3).
import {
  type Attributes,
  type Context,
  defaultTextMapSetter,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { ExportResultCode, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { TelemetryConfig } from "../config/index.ts";
import type { Logger } from "./log.ts";
import { Counter, type MetricsRegistry } from "./metrics.ts";

/** The OTLP/HTTP default (OTLP spec, "OTLP/HTTP default port 4318"). */
export const DEFAULT_OTLP_TRACES_URL = "http://localhost:4318/v1/traces";
/** Longest the node's exit waits for the last spans to be exported. */
const SHUTDOWN_BUDGET_MS = 5000;
const SAMPLER_ARG_NAMES: ReadonlySet<string> = new Set(["traceidratio", "parentbased_traceidratio"]);
const PROPAGATOR = new W3CTraceContextPropagator();
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const NON_RECORDING_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const HEADERS_GETTER: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

/** Tracing settings after the OTEL_* variables are applied over the file. */
export interface TracingSettings {
  readonly isEnabled: boolean;
  readonly url: string;
  readonly serviceName: string;
  /** Fraction of new traces kept, 0..1; a request that arrives with a traceparent follows its parent. */
  readonly sampleRatio: number;
}

export type TracingSettingsResult =
  | { readonly ok: true; readonly settings: TracingSettings }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Applies the standard variables over `telemetry.tracing`, as environment settings override the file
 * elsewhere: OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn tracing off and
 * OTEL_TRACES_EXPORTER=otlp turns it on; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is) or
 * OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces) set the URL; OTEL_SERVICE_NAME the service;
 * OTEL_TRACES_SAMPLER_ARG the ratio for the traceidratio samplers. Bad values are all reported.
 */
export function resolveTracingSettings(
  config: TelemetryConfig["tracing"],
  env: Readonly<Record<string, string | undefined>>,
): TracingSettingsResult {
  const problems: string[] = [];
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter !== undefined && exporter !== "" && exporter !== "otlp" && exporter !== "none") {
    problems.push(`OTEL_TRACES_EXPORTER: "${exporter}" is not supported (otlp or none)`);
  }
  const isDisabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true" || exporter === "none";
  const isEnabled = !isDisabled && (exporter === "otlp" || config.enabled);
  const url = tracesUrl(config.endpoint, env, problems);
  let sampleRatio = config.sample_ratio;
  const sampler = env.OTEL_TRACES_SAMPLER?.trim();
  const samplerArg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (sampler !== undefined && SAMPLER_ARG_NAMES.has(sampler) && samplerArg !== undefined) {
    const ratio = Number(samplerArg);
    if (samplerArg === "" || !(ratio >= 0 && ratio <= 1)) {
      problems.push(`OTEL_TRACES_SAMPLER_ARG: "${samplerArg}" is not a ratio from 0 to 1`);
    } else sampleRatio = ratio;
  }
  if (problems.length > 0) return { ok: false, problems };
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || config.service_name;
  return { ok: true, settings: { isEnabled, url, serviceName, sampleRatio } };
}

function tracesUrl(
  configured: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): string {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  // OTLP exporter spec: the signal-specific URL is used as is; the general one gets the signal path.
  const [name, url] = specific
    ? ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", specific]
    : general
      ? ["OTEL_EXPORTER_OTLP_ENDPOINT", `${general.replace(/\/+$/, "")}/v1/traces`]
      : ["telemetry.tracing.endpoint", configured ?? DEFAULT_OTLP_TRACES_URL];
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    problems.push(`${name}: "${url}" is not an http(s) URL`);
  }
  return url;
}

/** Where a new span hangs: under a span of ours, under an incoming traceparent, or at the root. */
export interface SpanStart {
  readonly kind: SpanKind;
  /** Gateway clock (epoch ms) or performance.now() ms; OTel tells them apart by size. */
  readonly startTimeMs?: number;
  readonly attributes?: Attributes;
  readonly parent?: Span;
  /** Incoming request headers; a valid traceparent there becomes the parent. */
  readonly incoming?: Headers;
}

/** The tracing handle the gateway holds. Disabled, every method is a constant-time no-op. */
export interface Tracing {
  readonly isEnabled: boolean;
  startSpan(name: string, start: SpanStart): Span;
  /** Exports what is buffered; rejects when the export fails (tests). */
  forceFlush(): Promise<void>;
  /** Flushes (for at most 5 s) and stops the exporter; never rejects. Spans started later are dropped. */
  shutdown(): Promise<void>;
}

/** Tracing off: no provider, no exporter, no span objects. */
export const DISABLED_TRACING: Tracing = Object.freeze({
  isEnabled: false,
  startSpan: () => NON_RECORDING_SPAN,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});

/** `traceparent` (and `tracestate`) for a request sent on behalf of `span` (W3C Trace Context §3). */
export function traceHeaders(span: Span): Readonly<Record<string, string>> {
  if (!isSpanContextValid(span.spanContext())) return NO_HEADERS;
  const carrier: Record<string, string> = {};
  PROPAGATOR.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier;
}

/**
 * The spans of one served request: a SERVER span with finished INTERNAL phases (scheduling) and
 * CLIENT attempts (upstream calls) under it. Held in the request's closure, never in the active
 * context, so streamed bodies keep it. Times are the caller's clock in ms.
 */
export interface RequestTrace {
  /** W3C headers naming the request span, for the upstream call. */
  readonly headers: Readonly<Record<string, string>>;
  /** A child span whose start and end are already known. */
  phase(name: string, startMs: number, endMs: number, attributes: Attributes): void;
  /** A finished CLIENT child span beside the attempts (a P/D prefill leg); `error` marks it failed. */
  call(name: string, startMs: number, endMs: number, attributes: Attributes, error: string | null): void;
  /** Starts a CLIENT child span, ending any attempt still open. */
  startAttempt(name: string, atMs: number, attributes: Attributes): void;
  attemptEvent(name: string, atMs: number): void;
  setAttemptAttributes(attributes: Attributes): void;
  /** Ends the open attempt; `error` marks it failed. */
  endAttempt(atMs: number, attributes: Attributes, error: string | null): void;
  /** Ends the open attempt and the request span; `error` marks both failed. */
  end(atMs: number, attributes: Attributes, error: string | null): void;
}

/** Starts the request span; null when tracing is off, so callers skip all span work. */
export function startRequestTrace(
  tracing: Tracing,
  name: string,
  start: { readonly atMs: number; readonly attributes: Attributes; readonly incoming?: Headers },
): RequestTrace | null {
  if (!tracing.isEnabled) return null;
  const { atMs, attributes, incoming } = start;
  const root = tracing.startSpan(name, { kind: SpanKind.SERVER, startTimeMs: atMs, attributes, incoming });
  const child = (kind: SpanKind, childName: string, startMs: number, childAttributes: Attributes) =>
    tracing.startSpan(childName, { kind, startTimeMs: startMs, attributes: childAttributes, parent: root });
  let attempt: Span | null = null;
  function closeAttempt(endMs: number, endAttributes: Attributes, error: string | null): void {
    if (attempt === null) return;
    attempt.setAttributes(endAttributes);
    if (error !== null) attempt.setStatus({ code: SpanStatusCode.ERROR, message: error });
    attempt.end(endMs);
    attempt = null;
  }
  return {
    headers: traceHeaders(root),
    phase: (phaseName, startMs, endMs, phaseAttributes) =>
      child(SpanKind.INTERNAL, phaseName, startMs, phaseAttributes).end(endMs),
    call(callName, startMs, endMs, callAttributes, error) {
      const span = child(SpanKind.CLIENT, callName, startMs, callAttributes);
      if (error !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end(endMs);
    },
    startAttempt(attemptName, startMs, attemptAttributes) {
      closeAttempt(startMs, {}, null);
      attempt = child(SpanKind.CLIENT, attemptName, startMs, attemptAttributes);
    },
    attemptEvent: (eventName, atMs) => attempt?.addEvent(eventName, atMs),
    setAttemptAttributes: (attributes) => attempt?.setAttributes(attributes),
    endAttempt: closeAttempt,
    end(endMs, endAttributes, error) {
      closeAttempt(endMs, {}, error);
      root.setAttributes(endAttributes);
      if (error !== null) root.setStatus({ code: SpanStatusCode.ERROR, message: error });
      root.end(endMs);
    },
  };
}

export interface TracingOptions {
  readonly logger: Logger;
  readonly registry: MetricsRegistry;
  /** Recorded as service.version. */
  readonly version: string;
  /** Replaces the OTLP/HTTP exporter (tests). */
  readonly exporter?: SpanExporter;
}

/** Builds the provider when `settings.isEnabled`; otherwise returns DISABLED_TRACING and registers nothing. */
export function createTracing(settings: TracingSettings, options: TracingOptions): Tracing {
  if (!settings.isEnabled) return DISABLED_TRACING;
  const exports = new Counter({
    name: "llmux_telemetry_span_exports_total",
    help: "Batches of spans sent to the OTLP endpoint, by outcome (success, failure).",
    labelNames: ["outcome"] as const,
    registers: [options.registry],
  });
  const exporter = observedExporter(options.exporter ?? new OTLPTraceExporter({ url: settings.url }), {
    onSuccess: () => exports.inc({ outcome: "success" }),
    onFailure(error, spans) {
      exports.inc({ outcome: "failure" });
      options.logger.warn({ err: error, spans, url: settings.url }, "span export failed");
    },
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      "service.name": settings.serviceName,
      "service.version": options.version,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const tracer: Tracer = provider.getTracer("llmux", options.version);
  return {
    isEnabled: true,
    startSpan(name, start) {
      const spanOptions = { kind: start.kind, startTime: start.startTimeMs, attributes: start.attributes };
      return tracer.startSpan(name, spanOptions, parentContext(start));
    },
    async forceFlush() {
      try {
        await provider.forceFlush();
      } catch (cause) {
        // The provider rejects with its processors' errors as an array; one Error keeps them as the cause.
        throw new Error("span export failed", { cause });
      }
    },
    async shutdown() {
      // A collector that is down must neither hold up nor crash the node's exit. A failed export is
      // already logged and counted by the exporter; only a hang is counted here.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<"hang">((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_BUDGET_MS, "hang");
      });
      const stopped = provider.shutdown().then(
        () => "done" as const,
        (error: unknown) => error,
      );
      const outcome = await Promise.race([stopped, hang]);
      clearTimeout(timer);
      if (outcome === "done") return;
      if (outcome === "hang") exports.inc({ outcome: "failure" });
      options.logger.warn({ err: outcome, url: settings.url }, "tracing stopped with spans not exported");
    },
  };
}

function parentContext(start: SpanStart): Context {
  if (start.parent !== undefined) return trace.setSpan(ROOT_CONTEXT, start.parent);
  if (start.incoming === undefined || !start.incoming.has("traceparent")) return ROOT_CONTEXT;
  return PROPAGATOR.extract(ROOT_CONTEXT, start.incoming, HEADERS_GETTER);
}

/** Counts and logs each batch's outcome: a collector that is down must show, not vanish. */
function observedExporter(
  inner: SpanExporter,
  hooks: { onSuccess(): void; onFailure(error: unknown, spans: number): void },
): SpanExporter {
  return {
    export(spans, resultCallback) {
      inner.export(spans, function exported(result) {
        if (result.code === ExportResultCode.SUCCESS) hooks.onSuccess();
        else hooks.onFailure(result.error, spans.length);
        resultCallback(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
