// Logs one line of engine output under the instance's logger. A line that is itself a JSON log
// record (a sim engine logs pino JSON) is merged into llmux's record instead of nested as text.
import type { Logger } from "../telemetry/index.ts";

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);
/** Fields of the child's record that llmux's own record already carries. */
const DROPPED_FIELDS = new Set(["level", "time", "msg", "svc", "version", "pid", "hostname"]);

/** Writes `line` from an engine's `stream` to `logger` (which carries the instance id). */
export function logEngineLine(logger: Logger, stream: "stdout" | "stderr", line: string): void {
  const record = line.startsWith("{") ? parseRecord(line) : null;
  if (record === null) {
    logger.info({ stream }, line);
    return;
  }
  const level = typeof record.level === "string" && LEVELS.has(record.level) ? record.level : "info";
  const fields: Record<string, unknown> = { stream };
  for (const [key, value] of Object.entries(record)) if (!DROPPED_FIELDS.has(key)) fields[key] = value;
  const message = typeof record.msg === "string" ? record.msg : "";
  logger[level as "info"](fields, message);
}

function parseRecord(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    // Not JSON after all: the caller logs the line as text.
    return null;
  }
}
