// Public surface of telemetry: logging and child-output line splitting.
export { forEachLine, MAX_LINE_CHARS } from "./line-splitter.ts";
export { createLogger, flushLogger, type LogFormat, type Logger, type LoggerOptions } from "./log.ts";
