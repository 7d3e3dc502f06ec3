// Chained block keys over prompt text for the approximate prefix index (llm-d's xxhash chain, §2.1):
// each block's key depends on its text and every block before it, seeded by model, LoRA and cache_salt.
// The keys never need to match vLLM's, so instead of sha256_cbor over token ids this is a two-lane
// MurmurHash3-style hash over UTF-16 code units in plain JS: about 2 ns per character (≈1 ms for 128k
// tokens of text) and no allocation per block; blocks are hashed lazily, as far as any endpoint matches. Bun.hash.wyhash is as fast per character but needs a
// substring and two BigInts per block (24k objects for a 128k-token prompt), which shows up as GC pauses.

/** Approximate characters per token, the ratio of llm-d's estimate backend and of the gateway's estimate. */
export const CHARS_PER_TOKEN = 4;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const D1 = 0x85ebca6b;
const D2 = 0xc2b2ae35;
const TWO_POW_32 = 4294967296;

/** A sequence of block keys: exact integers below 2^53 (21 bits of lane A, 32 of lane B). */
export interface KeySequence {
  readonly length: number;
  keyAt(index: number): number;
}

/**
 * The chained keys of `text` split into blocks of `blockChars` characters (the trailing partial block
 * included, as llm-d does), at most `maxBlocks` of them (0 = no cap). Blocks are hashed on first use, so a
 * decision pays only for the blocks some endpoint still matches; the rest is hashed when a pick is learned.
 */
export class BlockKeyChain implements KeySequence {
  readonly length: number;
  private readonly keys: Float64Array;
  private readonly lanes = new Int32Array(2);
  private computed = 0;

  constructor(
    private readonly text: string,
    chainSeed: string,
    private readonly blockChars: number,
    maxBlocks: number,
  ) {
    const available = Math.ceil(text.length / blockChars);
    this.length = maxBlocks > 0 ? Math.min(available, maxBlocks) : available;
    this.keys = new Float64Array(this.length);
    hashInto(this.lanes, chainSeed, 0, chainSeed.length);
  }

  keyAt(index: number): number {
    if (index >= this.computed) this.extendTo(index + 1);
    return this.keys[index] as number;
  }

  /** Every key, hashing whatever is left. */
  all(): Float64Array {
    this.extendTo(this.length);
    return this.keys;
  }

  private extendTo(count: number): void {
    const end = Math.min(count, this.length);
    for (let i = this.computed; i < end; i++) {
      const start = i * this.blockChars;
      hashInto(this.lanes, this.text, start, Math.min(this.text.length, start + this.blockChars));
      this.keys[i] = ((this.lanes[0] as number) >>> 11) * TWO_POW_32 + ((this.lanes[1] as number) >>> 0);
    }
    if (end > this.computed) this.computed = end;
  }
}

/** The chain seed: requests for different models, adapters or cache salts never share blocks. */
export function chainSeedOf(model: string, loraName: string | null, cacheSalt: unknown): string {
  return `${model}\u0000${loraName ?? ""}\u0000${typeof cacheSalt === "string" ? cacheSalt : ""}`;
}

/** Mixes text[start, end) into both lanes, starting from their current values (the chain). */
function hashInto(lanes: Int32Array, text: string, start: number, end: number): void {
  let a = lanes[0] as number;
  let b = lanes[1] as number;
  let j = start;
  for (; j + 1 < end; j += 2) {
    let k = text.charCodeAt(j) | (text.charCodeAt(j + 1) << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    k = Math.imul(k, D1);
    k = (k << 13) | (k >>> 19);
    b ^= k;
    b = (b << 15) | (b >>> 17);
    b = (Math.imul(b, 5) + 0x52dce729) | 0;
  }
  if (j < end) {
    let k = Math.imul(text.charCodeAt(j), C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    a ^= k;
    b ^= Math.imul(k, D1);
  }
  // MurmurHash3's fmix32 per lane (different constants for lane B), with the block length mixed in.
  a ^= end - start;
  a ^= a >>> 16;
  a = Math.imul(a, D1);
  a ^= a >>> 13;
  a = Math.imul(a, D2);
  a ^= a >>> 16;
  b ^= end - start;
  b ^= b >>> 15;
  b = Math.imul(b, 0x2c1b3c6d);
  b ^= b >>> 12;
  b = Math.imul(b, 0x297a2d39);
  b ^= b >>> 15;
  lanes[0] = a;
  lanes[1] = b;
}
