// The pino logger: JSON lines to stdout, or pretty text formatted in-process. Worker-thread
// transports are not used because they cannot load inside a compiled Bun binary.
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger } from "pino";
export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  readonly level: string;
  readonly format: LogFormat;
  /** Fields added to every line, e.g. `{ svc: "llmux", version }`. */
  readonly base?: Record<string, unknown>;
  /** Output stream; stdout by default. Tests pass a collector. */
  readonly destination?: NodeJS.WritableStream;
}

/** Creates the process logger. Keys and prompts must never be passed to it (see README, Security). */
export function createLogger(options: LoggerOptions): Logger {
  const pinoOptions = {
    level: options.level,
    base: options.base ?? null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.format === "pretty") {
    const stream = pretty({
      colorize: options.destination === undefined && process.stdout.isTTY === true,
      sync: true,
      destination: options.destination ?? 1,
      ignore: "svc,version",
    });
    return pino(pinoOptions, stream);
  }
  // Synchronous writes: a line logged just before process.exit (a crash, a fatal config error) is
  // never lost, which an async destination did not guarantee under load (bun-platform.md §2).
  // The cost is one write(2) per line.
  return pino(pinoOptions, options.destination ?? pino.destination({ dest: 1, sync: true }));
}

/** Flushes buffered log output, then resolves; call before process.exit. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.flush(() => resolve());
  });
}
