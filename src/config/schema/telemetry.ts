// `telemetry:` section: logging, access log, metrics and tracing.
import { z } from "zod";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

export const TelemetrySchema = z.strictObject({
  log_level: z.enum(LOG_LEVELS).default("info"),
  log_format: z.enum(["json", "pretty"]).default("json"),
  access_log: z.boolean().default(true).describe("one line per request (never prompt text unless debug)"),
  tracing: z
    .strictObject({
      enabled: z.boolean().default(false),
      endpoint: z.url().optional().describe("OTLP/HTTP traces URL; OTEL_EXPORTER_OTLP_* also apply"),
      service_name: z.string().min(1).default("llmux"),
      sample_ratio: z.number().min(0).max(1).default(1),
    })
    .prefault({}),
});

export type TelemetryConfig = z.infer<typeof TelemetrySchema>;
