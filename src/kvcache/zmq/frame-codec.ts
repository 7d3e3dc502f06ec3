// ZMTP 3.x frame encoding and the incremental frame decoder (rfc.zeromq.org/spec/23 §Framing).
// A frame is flags (bit0 MORE, bit1 LONG, bit2 COMMAND), a 1- or 8-byte big-endian size, then the body.

import { ZmtpError } from "./errors.ts";
import type { Multipart } from "./types.ts";

export const FLAG_MORE = 0x01;
export const FLAG_LONG = 0x02;
export const FLAG_COMMAND = 0x04;
const RESERVED_FLAG_BITS = 0xf8;
const SHORT_MAX_BYTES = 255;
/** Messages at most this large are encoded into one buffer; bigger bodies are queued without copying. */
const COALESCE_MAX_BYTES = 64 * 1024;

/** Receives one decoded frame; returns false to stop decoding (the connection was closed). */
export type FrameSink = (flags: number, body: Uint8Array) => boolean;

export function frameHeaderBytes(size: number): number {
  return size > SHORT_MAX_BYTES ? 9 : 2;
}

/** Writes a frame header at `offset` of `target`; returns the offset after it. */
export function writeFrameHeader(target: Uint8Array, offset: number, flags: number, size: number): number {
  if (size > SHORT_MAX_BYTES) {
    target[offset] = flags | FLAG_LONG;
    new DataView(target.buffer, target.byteOffset + offset + 1, 8).setBigUint64(0, BigInt(size));
    return offset + 9;
  }
  target[offset] = flags;
  target[offset + 1] = size;
  return offset + 2;
}

/** Encodes one frame (header + body) into a new buffer. */
export function encodeFrame(flags: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(frameHeaderBytes(body.length) + body.length);
  out.set(body, writeFrameHeader(out, 0, flags, body.length));
  return out;
}

/**
 * Encodes a multipart message as wire bytes. Returns one buffer for small messages and
 * header/body pieces (bodies not copied) for large ones; the pieces are one message for the writer.
 */
export function encodeMessage(message: Multipart): Uint8Array[] {
  let totalBytes = 0;
  for (const frame of message) totalBytes += frameHeaderBytes(frame.length) + frame.length;
  const last = message.length - 1;
  if (totalBytes <= COALESCE_MAX_BYTES) {
    const out = new Uint8Array(totalBytes);
    let offset = 0;
    message.forEach((frame, index) => {
      offset = writeFrameHeader(out, offset, index < last ? FLAG_MORE : 0, frame.length);
      out.set(frame, offset);
      offset += frame.length;
    });
    return [out];
  }
  const pieces: Uint8Array[] = [];
  message.forEach((frame, index) => {
    const header = new Uint8Array(frameHeaderBytes(frame.length));
    writeFrameHeader(header, 0, index < last ? FLAG_MORE : 0, frame.length);
    pieces.push(header, frame);
  });
  return pieces;
}

/**
 * Incremental decoder: accepts TCP chunks of any size. Frames that lie inside one chunk are
 * delivered as zero-copy views of it; a frame split across chunks is copied once into a buffer
 * allocated at its final size, so decoding is linear in the bytes received.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #header = new Uint8Array(9);
  #headerFilled = 0;
  #body: Uint8Array | undefined;
  #bodyFilled = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Decodes `chunk`, calling `sink` per frame. Throws ZmtpError on malformed input. */
  push(chunk: Uint8Array, sink: FrameSink): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#body !== undefined) {
        offset = this.#fillBody(chunk, offset);
        if (this.#bodyFilled < this.#body.length) return;
        const body = this.#body;
        this.#body = undefined;
        if (!sink(this.#header[0]!, body)) return;
        continue;
      }
      offset = this.#fillHeader(chunk, offset);
      const size = this.#completeHeaderSize();
      if (size === undefined) return;
      this.#headerFilled = 0;
      if (chunk.length - offset >= size) {
        const body = chunk.subarray(offset, offset + size);
        offset += size;
        if (!sink(this.#header[0]!, body)) return;
        continue;
      }
      this.#body = new Uint8Array(size);
      this.#bodyFilled = 0;
    }
  }

  /** True when no partial frame is buffered. */
  get isIdle(): boolean {
    return this.#headerFilled === 0 && this.#body === undefined;
  }

  #fillHeader(chunk: Uint8Array, offset: number): number {
    let position = offset;
    if (this.#headerFilled === 0) {
      const flags = chunk[position]!;
      if ((flags & RESERVED_FLAG_BITS) !== 0) {
        throw new ZmtpError("kvcache_zmq_bad_frame", `reserved flag bits set (0x${flags.toString(16)})`);
      }
      this.#header[0] = flags;
      this.#headerFilled = 1;
      position += 1;
    }
    const needed = this.#headerNeeded() - this.#headerFilled;
    const take = Math.min(needed, chunk.length - position);
    this.#header.set(chunk.subarray(position, position + take), this.#headerFilled);
    this.#headerFilled += take;
    return position + take;
  }

  #headerNeeded(): number {
    return (this.#header[0]! & FLAG_LONG) !== 0 ? 9 : 2;
  }

  /** The body size once the header is complete, else undefined. */
  #completeHeaderSize(): number | undefined {
    if (this.#headerFilled < this.#headerNeeded()) return undefined;
    let size: number;
    if ((this.#header[0]! & FLAG_LONG) !== 0) {
      const view = new DataView(this.#header.buffer, 1, 8);
      size = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
    } else {
      size = this.#header[1]!;
    }
    if (size > this.#maxFrameBytes) {
      throw new ZmtpError("kvcache_zmq_frame_too_large", `${size} > ${this.#maxFrameBytes} bytes`);
    }
    return size;
  }

  #fillBody(chunk: Uint8Array, offset: number): number {
    const body = this.#body!;
    const take = Math.min(body.length - this.#bodyFilled, chunk.length - offset);
    body.set(chunk.subarray(offset, offset + take), this.#bodyFilled);
    this.#bodyFilled += take;
    return offset + take;
  }
}
