// Splits uint64 block keys into two int32 halves (same bits), the form the prefix index stores and
// compares, without per-key BigInt arithmetic (a shared BigUint64Array/Int32Array pair does the split).

const scratch64 = new BigUint64Array(1);
const scratch32 = new Int32Array(scratch64.buffer);
// Typed arrays use the platform's byte order; every platform Bun targets is little-endian.
const LO = 0;
const HI = 1;

/** Low and high halves of one uint64 key as int32 (written into `out`, which is returned). */
export function splitKey(key: bigint, out: [number, number]): [number, number] {
  scratch64[0] = key;
  out[0] = scratch32[LO]!;
  out[1] = scratch32[HI]!;
  return out;
}

/** Request keys as interleaved [lo0, hi0, lo1, hi1, ...] halves: a view when given a BigUint64Array. */
export function toKeyHalves(keys: readonly bigint[] | BigUint64Array): Int32Array {
  if (keys instanceof BigUint64Array) return new Int32Array(keys.buffer, keys.byteOffset, keys.length * 2);
  return new Int32Array(BigUint64Array.from(keys).buffer);
}

/** Joins two halves back into the uint64 key. */
export function joinKey(lo: number, hi: number): bigint {
  scratch32[LO] = lo;
  scratch32[HI] = hi;
  return scratch64[0]!;
}
