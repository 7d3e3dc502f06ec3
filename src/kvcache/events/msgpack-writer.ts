// A msgpack writer that emits exactly what msgspec (vLLM's encoder) emits for KV events.
// Hand-written because msgpackr 2.1 writes bigints below 2^63 as int64 (d3) and numbers above 2^32 as
// float64 (cb), where msgspec writes the shortest unsigned form (cf for 64-bit hashes), and it writes
// integral floats such as a whole-second `ts` as ints, where msgspec always writes float64.

/** A value the writer accepts. Numbers are written as ints; use `writeFloat64` for floats. */
export type MsgpackValue = null | number | bigint | string | Uint8Array | readonly MsgpackValue[];

const INITIAL_CAPACITY_BYTES = 256;
const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const INT64_MIN = -(2n ** 63n);
const TWO_POW_32 = 0x1_0000_0000;
// Hoisted so that no bigint is built per written hash.
const TWO_POW_32_BIG = 0x1_0000_0000n;
const INT32_MIN_BIG = -0x8000_0000n;

const textEncoder = new TextEncoder();

/** Appends msgpack to a growable buffer; `toBytes()` copies the result out. Not reentrant. */
export class MsgpackWriter {
  private buffer = new Uint8Array(INITIAL_CAPACITY_BYTES);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  writeNil(): void {
    this.ensureCapacity(1);
    this.buffer[this.length++] = 0xc0;
  }

  writeFloat64(value: number): void {
    this.ensureCapacity(9);
    this.buffer[this.length] = 0xcb;
    this.view.setFloat64(this.length + 1, value);
    this.length += 9;
  }

  /** Shortest form, unsigned families for values ≥ 0 (as msgspec and msgpack-python do). */
  writeInt(value: number | bigint): void {
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new RangeError(`msgpack int must be a safe integer: ${value}`);
      if (value >= 0 && value < TWO_POW_32) this.writeUint32(value);
      else if (value < 0 && value >= -0x8000_0000) this.writeNegativeInt32(value);
      else this.writeBigInt(BigInt(value));
      return;
    }
    this.writeBigInt(value);
  }

  writeString(text: string): void {
    if (text.length < 32 && this.tryWriteShortAscii(text)) return;
    const maxBytes = text.length * 3;
    this.ensureCapacity(5 + maxBytes);
    // Encode after the largest possible head, then move the body next to the real head.
    const bodyStart = this.length + 5;
    const { written } = textEncoder.encodeInto(text, this.buffer.subarray(bodyStart, bodyStart + maxBytes));
    this.writeHead(written, 0xa0, 32, 0xd9, 0xda, 0xdb);
    this.buffer.copyWithin(this.length, bodyStart, bodyStart + written);
    this.length += written;
  }

  writeBin(bytes: Uint8Array): void {
    this.writeHead(bytes.length, 0, 0, 0xc4, 0xc5, 0xc6);
    this.ensureCapacity(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  writeArrayHead(itemCount: number): void {
    this.writeHead(itemCount, 0x90, 16, 0, 0xdc, 0xdd);
  }

  writeMapHead(entryCount: number): void {
    this.writeHead(entryCount, 0x80, 16, 0, 0xde, 0xdf);
  }

  writeValue(value: MsgpackValue): void {
    if (value === null) this.writeNil();
    else if (typeof value === "number" || typeof value === "bigint") this.writeInt(value);
    else if (typeof value === "string") this.writeString(value);
    else if (value instanceof Uint8Array) this.writeBin(value);
    else {
      this.writeArrayHead(value.length);
      this.writeItems(value);
    }
  }

  /**
   * Array items. Token ids dominate event payloads, so runs of uint32s are written inline after one
   * capacity check (8 ns per token id vs 12 ns through writeValue, measured); the rest use writeValue.
   */
  private writeItems(items: readonly MsgpackValue[]): void {
    let i = 0;
    while (i < items.length) {
      this.ensureCapacity((items.length - i) * 5);
      const buffer = this.buffer;
      let at = this.length;
      for (; i < items.length; i++) {
        const item = items[i];
        if (typeof item !== "number" || item >>> 0 !== item) break;
        if (item < 0x80) buffer[at++] = item;
        else if (item < 0x100) {
          buffer[at++] = 0xcc;
          buffer[at++] = item;
        } else if (item < 0x1_0000) {
          buffer[at++] = 0xcd;
          buffer[at++] = item >>> 8;
          buffer[at++] = item & 0xff;
        } else {
          buffer[at++] = 0xce;
          buffer[at++] = item >>> 24;
          buffer[at++] = (item >>> 16) & 0xff;
          buffer[at++] = (item >>> 8) & 0xff;
          buffer[at++] = item & 0xff;
        }
      }
      this.length = at;
      if (i < items.length) this.writeValue(items[i++]!);
    }
  }

  /** Tags, keys and media are short ASCII: a byte loop is ~3x faster than TextEncoder.encodeInto here. */
  private tryWriteShortAscii(text: string): boolean {
    this.ensureCapacity(1 + text.length);
    const start = this.length + 1;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) return false;
      this.buffer[start + i] = code;
    }
    this.buffer[this.length] = 0xa0 | text.length;
    this.length = start + text.length;
    return true;
  }

  private ensureCapacity(extraBytes: number): void {
    const needed = this.length + extraBytes;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Length-prefixed head: fix form below `fixLimit`, else the 8-, 16- or 32-bit form (0 = none). */
  private writeHead(
    size: number,
    fixBase: number,
    fixLimit: number,
    op8: number,
    op16: number,
    op32: number,
  ): void {
    this.ensureCapacity(5);
    const at = this.length;
    if (size < fixLimit) {
      this.buffer[at] = fixBase | size;
      this.length += 1;
    } else if (op8 !== 0 && size < 0x100) {
      this.buffer[at] = op8;
      this.buffer[at + 1] = size;
      this.length += 2;
    } else if (size < 0x1_0000) {
      this.buffer[at] = op16;
      this.view.setUint16(at + 1, size);
      this.length += 3;
    } else {
      this.buffer[at] = op32;
      this.view.setUint32(at + 1, size);
      this.length += 5;
    }
  }

  private writeUint32(value: number): void {
    this.ensureCapacity(5);
    const at = this.length;
    if (value < 0x80) {
      this.buffer[at] = value;
      this.length += 1;
    } else if (value < 0x100) {
      this.buffer[at] = 0xcc;
      this.buffer[at + 1] = value;
      this.length += 2;
    } else if (value < 0x1_0000) {
      this.buffer[at] = 0xcd;
      this.view.setUint16(at + 1, value);
      this.length += 3;
    } else {
      this.buffer[at] = 0xce;
      this.view.setUint32(at + 1, value);
      this.length += 5;
    }
  }

  private writeNegativeInt32(value: number): void {
    this.ensureCapacity(5);
    const at = this.length;
    if (value >= -32) {
      this.buffer[at] = value & 0xff;
      this.length += 1;
    } else if (value >= -0x80) {
      this.buffer[at] = 0xd0;
      this.view.setInt8(at + 1, value);
      this.length += 2;
    } else if (value >= -0x8000) {
      this.buffer[at] = 0xd1;
      this.view.setInt16(at + 1, value);
      this.length += 3;
    } else {
      this.buffer[at] = 0xd2;
      this.view.setInt32(at + 1, value);
      this.length += 5;
    }
  }

  private writeBigInt(value: bigint): void {
    if (value > UINT64_MAX || value < INT64_MIN) {
      throw new RangeError(`msgpack int out of 64-bit range: ${value}`);
    }
    if (value >= 0n && value < TWO_POW_32_BIG) {
      this.writeUint32(Number(value));
      return;
    }
    if (value < 0n && value >= INT32_MIN_BIG) {
      this.writeNegativeInt32(Number(value));
      return;
    }
    this.ensureCapacity(9);
    const at = this.length;
    if (value >= 0n) {
      this.buffer[at] = 0xcf;
      this.view.setBigUint64(at + 1, value);
    } else {
      this.buffer[at] = 0xd3;
      this.view.setBigInt64(at + 1, value);
    }
    this.length += 9;
  }
}
