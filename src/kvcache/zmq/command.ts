// ZMTP command bodies: READY with its metadata properties, PING/PONG, SUBSCRIBE/CANCEL, ERROR
// (rfc.zeromq.org/spec/23 §Commands, spec/37 for the 3.1 additions).

import { ZmtpError } from "./errors.ts";
import { encodeFrame, FLAG_COMMAND } from "./frame-codec.ts";

export interface ZmtpCommand {
  /** Command name as sent, e.g. "READY", "SUBSCRIBE". */
  readonly name: string;
  readonly data: Uint8Array;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextEncoder();
const MAX_PING_CONTEXT_BYTES = 16;

/** Splits a command frame body into name and data. Throws ZmtpError. */
export function parseCommand(body: Uint8Array): ZmtpCommand {
  const nameBytes = body[0];
  if (nameBytes === undefined || nameBytes === 0 || body.length < 1 + nameBytes) {
    throw new ZmtpError("kvcache_zmq_bad_command", "command name missing or truncated");
  }
  return { name: latin1.decode(body.subarray(1, 1 + nameBytes)), data: body.subarray(1 + nameBytes) };
}

/** Encodes a complete command frame (header + name + data). */
export function encodeCommandFrame(name: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const nameBytes = utf8.encode(name);
  const body = new Uint8Array(1 + nameBytes.length + data.length);
  body[0] = nameBytes.length;
  body.set(nameBytes, 1);
  body.set(data, 1 + nameBytes.length);
  return encodeFrame(FLAG_COMMAND, body);
}

/** READY frame announcing our socket type and, when set, our identity. */
export function encodeReadyFrame(socketType: string, identity?: Uint8Array): Uint8Array {
  const properties: [string, Uint8Array][] = [["Socket-Type", utf8.encode(socketType)]];
  if (identity !== undefined) properties.push(["Identity", identity]);
  return encodeCommandFrame("READY", encodeProperties(properties));
}

/** Metadata = *(name-length(1) name value-length(4, BE) value). */
export function encodeProperties(properties: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  const encoded = properties.map(([name, value]) => [utf8.encode(name), value] as const);
  const size = encoded.reduce((sum, [name, value]) => sum + 1 + name.length + 4 + value.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const [name, value] of encoded) {
    out[offset] = name.length;
    out.set(name, offset + 1);
    offset += 1 + name.length;
    view.setUint32(offset, value.length);
    out.set(value, offset + 4);
    offset += 4 + value.length;
  }
  return out;
}

/** Parses READY metadata; property names are case-insensitive, so keys are lower-cased. */
export function parseProperties(data: Uint8Array): Map<string, Uint8Array> {
  const properties = new Map<string, Uint8Array>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  while (offset < data.length) {
    const nameBytes = data[offset]!;
    if (nameBytes === 0 || offset + 1 + nameBytes + 4 > data.length) {
      throw new ZmtpError("kvcache_zmq_bad_command", "READY property truncated");
    }
    const name = latin1.decode(data.subarray(offset + 1, offset + 1 + nameBytes)).toLowerCase();
    offset += 1 + nameBytes;
    const valueBytes = view.getUint32(offset);
    if (offset + 4 + valueBytes > data.length) {
      throw new ZmtpError("kvcache_zmq_bad_command", `READY property ${name} value truncated`);
    }
    properties.set(name, data.subarray(offset + 4, offset + 4 + valueBytes));
    offset += 4 + valueBytes;
  }
  return properties;
}

/** PONG answering a PING body (ping-ttl 2 bytes, then up to 16 bytes of context echoed back). */
export function encodePongFrame(pingData: Uint8Array): Uint8Array {
  if (pingData.length < 2 || pingData.length > 2 + MAX_PING_CONTEXT_BYTES) {
    throw new ZmtpError("kvcache_zmq_bad_command", `PING body of ${pingData.length} bytes`);
  }
  return encodeCommandFrame("PONG", pingData.subarray(2));
}

/** Decodes a command body's bytes as text for error messages (ERROR reason = length(1) + text). */
export function parseErrorReason(data: Uint8Array): string {
  const length = data[0] ?? 0;
  return latin1.decode(data.subarray(1, 1 + length));
}
