// Canonical CBOR (RFC 8949 §4.2.1, as cbor2 `canonical=True` emits it) for the subset vLLM's block-hash
// input uses: ints, byte strings, text strings, arrays and null. Hand-written rather than cbor-x because it
// runs per token on the hashing hot path and must be byte-exact; it writes into one reusable buffer.

/** A value this encoder accepts. Arrays stand for Python tuples and lists (both are CBOR arrays). */
export type CborValue = null | number | bigint | string | Uint8Array | readonly CborValue[];

const MAJOR_UNSIGNED = 0x00;
const MAJOR_NEGATIVE = 0x20;
const MAJOR_BYTES = 0x40;
const MAJOR_TEXT = 0x60;
const MAJOR_ARRAY = 0x80;
const CBOR_NULL = 0xf6;
const TWO_POW_32 = 0x1_0000_0000;
const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const INITIAL_CAPACITY_BYTES = 1024;
/** Largest CBOR head: 1 initial byte + 8 argument bytes. */
const MAX_HEAD_BYTES = 9;

const textEncoder = new TextEncoder();

/**
 * Appends canonical CBOR to a growable buffer. Call `reset()` before each value; `view()` returns the
 * bytes written so far without copying (valid until the next write or reset). One writer per caller:
 * it is not reentrant.
 */
export class CborWriter {
  private buffer = new Uint8Array(INITIAL_CAPACITY_BYTES);
  private view64 = new DataView(this.buffer.buffer);
  private length = 0;

  reset(): void {
    this.length = 0;
  }

  /** The encoded bytes, as a view into the internal buffer. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** Grows the buffer (doubling) so that `extraBytes` more bytes fit. */
  ensureCapacity(extraBytes: number): void {
    const needed = this.length + extraBytes;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view64 = new DataView(grown.buffer);
  }

  writeNull(): void {
    this.ensureCapacity(1);
    this.buffer[this.length++] = CBOR_NULL;
  }

  /** An integer (number must be a safe integer; bigint must fit in [-2^64, 2^64-1]). */
  writeInt(value: number | bigint): void {
    if (typeof value === "bigint") {
      this.writeBigInt(value);
      return;
    }
    if (!Number.isSafeInteger(value)) throw new RangeError(`CBOR int must be a safe integer, got ${value}`);
    if (value >= 0) this.writeHead(MAJOR_UNSIGNED, value);
    else this.writeHead(MAJOR_NEGATIVE, -1 - value);
  }

  /**
   * Integers from `values[start..end)` as consecutive CBOR items. Token ids take this
   * path: the capacity check is done once per run, and ids below 2^32 skip the generic dispatch.
   */
  writeIntRun(values: ArrayLike<number>, start: number, end: number): void {
    this.ensureCapacity((end - start) * MAX_HEAD_BYTES);
    const buffer = this.buffer;
    let offset = this.length;
    for (let i = start; i < end; i++) {
      const value = values[i] as number;
      if (value < 24 && value >= 0 && (value | 0) === value) {
        buffer[offset++] = value;
      } else if (value >>> 0 === value) {
        offset = writeUint32Head(buffer, offset, MAJOR_UNSIGNED, value);
      } else {
        this.length = offset;
        this.writeInt(value);
        offset = this.length;
      }
    }
    this.length = offset;
  }

  writeBytes(bytes: Uint8Array): void {
    this.writeHead(MAJOR_BYTES, bytes.length);
    this.ensureCapacity(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A UTF-8 text string, encoded in place: no intermediate Uint8Array per call. */
  writeText(text: string): void {
    const maxBytes = text.length * 3;
    this.ensureCapacity(MAX_HEAD_BYTES + maxBytes);
    const bodyStart = this.length + MAX_HEAD_BYTES;
    const { written } = textEncoder.encodeInto(text, this.buffer.subarray(bodyStart, bodyStart + maxBytes));
    this.writeHead(MAJOR_TEXT, written);
    // The head is at most 9 bytes, so the body moves left (or stays) to follow it.
    this.buffer.copyWithin(this.length, bodyStart, bodyStart + written);
    this.length += written;
  }

  writeArrayHead(itemCount: number): void {
    this.writeHead(MAJOR_ARRAY, itemCount);
  }

  /** Any supported value, recursively. */
  writeValue(value: CborValue): void {
    if (value === null) this.writeNull();
    else if (typeof value === "number" || typeof value === "bigint") this.writeInt(value);
    else if (typeof value === "string") this.writeText(value);
    else if (value instanceof Uint8Array) this.writeBytes(value);
    else {
      this.writeArrayHead(value.length);
      for (const item of value) this.writeValue(item);
    }
  }

  /** Head with the shortest argument encoding (canonical): 0–23 inline, then 1, 2, 4 or 8 bytes. */
  private writeHead(major: number, argument: number): void {
    this.ensureCapacity(MAX_HEAD_BYTES);
    if (argument < TWO_POW_32) {
      this.length = writeUint32Head(this.buffer, this.length, major, argument);
      return;
    }
    this.buffer[this.length] = major | 27;
    this.view64.setBigUint64(this.length + 1, BigInt(argument));
    this.length += 9;
  }

  private writeBigInt(value: bigint): void {
    const isNegative = value < 0n;
    const argument = isNegative ? -1n - value : value;
    if (argument > UINT64_MAX) throw new RangeError(`CBOR int out of 64-bit range: ${value}`);
    const major = isNegative ? MAJOR_NEGATIVE : MAJOR_UNSIGNED;
    if (argument < BigInt(TWO_POW_32)) {
      this.writeHead(major, Number(argument));
      return;
    }
    this.ensureCapacity(MAX_HEAD_BYTES);
    this.buffer[this.length] = major | 27;
    this.view64.setBigUint64(this.length + 1, argument);
    this.length += 9;
  }
}

/** One-shot encoding into a fresh Uint8Array (tests, cold paths). */
export function encodeCbor(value: CborValue): Uint8Array {
  const writer = new CborWriter();
  writer.writeValue(value);
  return writer.view().slice();
}

/** Writes a head whose argument is < 2^32; returns the new offset. Capacity is the caller's job. */
function writeUint32Head(buffer: Uint8Array, offset: number, major: number, argument: number): number {
  if (argument < 24) {
    buffer[offset] = major | argument;
    return offset + 1;
  }
  if (argument < 0x100) {
    buffer[offset] = major | 24;
    buffer[offset + 1] = argument;
    return offset + 2;
  }
  if (argument < 0x1_0000) {
    buffer[offset] = major | 25;
    buffer[offset + 1] = argument >>> 8;
    buffer[offset + 2] = argument & 0xff;
    return offset + 3;
  }
  buffer[offset] = major | 26;
  buffer[offset + 1] = argument >>> 24;
  buffer[offset + 2] = (argument >>> 16) & 0xff;
  buffer[offset + 3] = (argument >>> 8) & 0xff;
  buffer[offset + 4] = argument & 0xff;
  return offset + 5;
}
