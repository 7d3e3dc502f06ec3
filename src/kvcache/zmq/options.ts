// Validation and defaults of the transport options; invalid values are rejected, never replaced.

import { ZmtpError } from "./errors.ts";
import type { HeartbeatConfig } from "./heartbeat.ts";
import type { ZmqBindOptions, ZmqConnectOptions, ZmqDealerOptions } from "./types.ts";

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
export const DEFAULT_RECONNECT_INITIAL_MS = 100;
export const DEFAULT_RECONNECT_MAX_MS = 5000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** vLLM's ZmqEventPublisher sets hwm=100_000 on its PUB socket (vllm/distributed/kv_events.py). */
export const DEFAULT_SEND_HIGH_WATER_MARK = 100_000;

export interface ResolvedBindOptions {
  readonly sendHighWaterMark: number;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly onError: (error: Error) => void;
}

export interface ResolvedConnectOptions extends ResolvedBindOptions {
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly identity: Uint8Array | undefined;
  readonly heartbeat: HeartbeatConfig | undefined;
}

export function resolveBindOptions(options: ZmqBindOptions = {}): ResolvedBindOptions {
  return {
    sendHighWaterMark: positiveInteger(
      "sendHighWaterMark",
      options.sendHighWaterMark,
      DEFAULT_SEND_HIGH_WATER_MARK,
    ),
    maxFrameBytes: positiveInteger("maxFrameBytes", options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES),
    handshakeTimeoutMs: positiveInteger(
      "handshakeTimeoutMs",
      options.handshakeTimeoutMs,
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ),
    onError: options.onError === undefined ? ignoreError : guardReporter(options.onError),
  };
}

export function resolveConnectOptions(
  options: ZmqConnectOptions | ZmqDealerOptions = {},
): ResolvedConnectOptions {
  const reconnectInitialMs = positiveInteger(
    "reconnectInitialMs",
    options.reconnectInitialMs,
    DEFAULT_RECONNECT_INITIAL_MS,
  );
  const reconnectMaxMs = positiveInteger("reconnectMaxMs", options.reconnectMaxMs, DEFAULT_RECONNECT_MAX_MS);
  if (reconnectMaxMs < reconnectInitialMs) {
    throw new ZmtpError("kvcache_zmq_bad_option", "reconnectMaxMs must be >= reconnectInitialMs");
  }
  const identity = "identity" in options ? toIdentity(options.identity) : undefined;
  const heartbeat = resolveHeartbeat(options);
  return { ...resolveBindOptions(options), reconnectInitialMs, reconnectMaxMs, identity, heartbeat };
}

function resolveHeartbeat(options: ZmqConnectOptions): HeartbeatConfig | undefined {
  if (options.heartbeatIntervalMs === undefined) {
    if (options.heartbeatTimeoutMs !== undefined) {
      throw new ZmtpError("kvcache_zmq_bad_option", "heartbeatTimeoutMs needs heartbeatIntervalMs");
    }
    return undefined;
  }
  const intervalMs = positiveInteger("heartbeatIntervalMs", options.heartbeatIntervalMs, 0);
  const timeoutMs = positiveInteger("heartbeatTimeoutMs", options.heartbeatTimeoutMs, 3 * intervalMs);
  if (timeoutMs < intervalMs) {
    throw new ZmtpError("kvcache_zmq_bad_option", "heartbeatTimeoutMs must be >= heartbeatIntervalMs");
  }
  return { intervalMs, timeoutMs };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ZmtpError("kvcache_zmq_bad_option", `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** ZMTP 3.0 §Identity: 1..255 bytes; libzmq reserves a leading 0x00 for generated identities. */
function toIdentity(value: string | Uint8Array | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  if (bytes.length === 0 || bytes.length > 255 || bytes[0] === 0) {
    throw new ZmtpError("kvcache_zmq_bad_option", "identity must be 1..255 bytes and not start with 0x00");
  }
  return bytes;
}

/** Without an onError callback, transport problems are still handled (closed, reconnected), just unreported. */
function ignoreError(_error: Error): void {}

/**
 * onError runs inside socket callbacks, where a throw would escape into Bun's event loop. A reporter
 * that throws has nobody left to report to, so its exception is dropped and the transport carries on.
 */
function guardReporter(report: (error: Error) => void): (error: Error) => void {
  return function reportTransportError(error) {
    try {
      report(error);
    } catch {
      return;
    }
  };
}
