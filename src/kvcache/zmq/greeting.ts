// The 64-byte ZMTP 3.x greeting: signature FF 00×8 7F, version, mechanism, as-server, filler
// (rfc.zeromq.org/spec/23 §Greeting; 3.1 = spec/37). We greet as 3.1 with the NULL mechanism.

import { ZmtpError } from "./errors.ts";

export const GREETING_BYTES = 64;
const SIGNATURE_BYTES = 10;
const MECHANISM_OFFSET = 12;
const MECHANISM_BYTES = 20;
const AS_SERVER_OFFSET = 32;
export const OUR_MAJOR_VERSION = 3;
export const OUR_MINOR_VERSION = 1;

export interface Greeting {
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly mechanism: string;
  readonly isServer: boolean;
}

/** Our greeting: version 3.1, mechanism NULL, as-server 0 (NULL has no client/server roles). */
export function encodeGreeting(): Uint8Array {
  const out = new Uint8Array(GREETING_BYTES);
  out[0] = 0xff;
  out[SIGNATURE_BYTES - 1] = 0x7f;
  out[10] = OUR_MAJOR_VERSION;
  out[11] = OUR_MINOR_VERSION;
  out.set(new TextEncoder().encode("NULL"), MECHANISM_OFFSET);
  return out;
}

/**
 * Checks the first `filled` bytes of a greeting as they arrive, so that garbage is rejected after
 * the first byte instead of after a handshake timeout. Throws ZmtpError.
 */
export function checkGreetingPrefix(bytes: Uint8Array, filled: number): void {
  if (filled >= 1 && bytes[0] !== 0xff) {
    throw new ZmtpError("kvcache_zmq_bad_greeting", `signature starts with 0x${bytes[0]!.toString(16)}`);
  }
  if (filled >= SIGNATURE_BYTES && bytes[SIGNATURE_BYTES - 1] !== 0x7f) {
    throw new ZmtpError("kvcache_zmq_bad_greeting", "signature does not end with 0x7F");
  }
  // ZMTP 1.0/2.0 peers (libzmq < 4) announce a major version below 3; we do not downgrade.
  if (filled > 10 && bytes[10]! < OUR_MAJOR_VERSION) {
    throw new ZmtpError("kvcache_zmq_bad_greeting", `unsupported ZMTP major version ${bytes[10]}`);
  }
}

/** Parses a complete greeting and requires the NULL mechanism. Throws ZmtpError. */
export function parseGreeting(bytes: Uint8Array): Greeting {
  checkGreetingPrefix(bytes, GREETING_BYTES);
  const mechanismField = bytes.subarray(MECHANISM_OFFSET, MECHANISM_OFFSET + MECHANISM_BYTES);
  const end = mechanismField.indexOf(0);
  const mechanism = new TextDecoder("latin1").decode(
    end === -1 ? mechanismField : mechanismField.subarray(0, end),
  );
  if (mechanism !== "NULL") {
    throw new ZmtpError("kvcache_zmq_unsupported_mechanism", JSON.stringify(mechanism));
  }
  return {
    majorVersion: bytes[10]!,
    minorVersion: bytes[11]!,
    mechanism,
    isServer: bytes[AS_SERVER_OFFSET] === 1,
  };
}
