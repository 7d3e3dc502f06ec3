// Error catalogue of the ZMTP transport: every transport problem reaches options.onError as a ZmtpError
// with one of these stable codes.

export const ZMTP_ERROR_CODES = {
  kvcache_zmq_bad_endpoint: "endpoint is not tcp://host:port",
  kvcache_zmq_bad_option: "transport option out of range",
  kvcache_zmq_bad_greeting: "peer sent an invalid ZMTP greeting",
  kvcache_zmq_unsupported_mechanism: "peer asked for a security mechanism other than NULL",
  kvcache_zmq_bad_frame: "peer sent a malformed frame",
  kvcache_zmq_frame_too_large: "peer sent a frame larger than maxFrameBytes",
  kvcache_zmq_bad_command: "peer sent a malformed or unexpected command",
  kvcache_zmq_incompatible_peer: "peer socket type cannot talk to this socket type",
  kvcache_zmq_duplicate_identity: "peer identity is already connected to this ROUTER",
  kvcache_zmq_handshake_timeout: "peer did not finish the handshake in time",
  kvcache_zmq_heartbeat_timeout: "peer stopped answering heartbeats",
  kvcache_zmq_peer_error: "peer sent an ERROR command",
  kvcache_zmq_connect_failed: "TCP connect failed",
  kvcache_zmq_connection_lost: "connection closed by the peer or the network",
  kvcache_zmq_handler_failed: "a message handler threw",
  kvcache_zmq_internal: "unexpected failure inside the transport",
} as const;

export type ZmtpErrorCode = keyof typeof ZMTP_ERROR_CODES;

/** A transport error with a catalogued code; `message` adds the detail (peer address, sizes). */
export class ZmtpError extends Error {
  readonly code: ZmtpErrorCode;

  constructor(code: ZmtpErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = ZMTP_ERROR_CODES[code];
    super(detail === undefined ? base : `${base}: ${detail}`, options);
    this.name = "ZmtpError";
    this.code = code;
  }
}

/** Wraps anything thrown inside the transport into a ZmtpError, keeping the original as cause. */
export function toZmtpError(error: unknown, code: ZmtpErrorCode = "kvcache_zmq_internal"): ZmtpError {
  if (error instanceof ZmtpError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ZmtpError(code, detail, { cause: error });
}
