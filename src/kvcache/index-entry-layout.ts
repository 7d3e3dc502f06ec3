// Layout of the prefix index's entry table: tier bits, the interleaved `hot` record a lookup reads, and
// the bucket hashes of its two hash tables.

/** Tier bits of an entry; an entry with no bit set is free. */
export const TIER_GPU = 1;
export const TIER_CPU = 2;
export const TIER_SPECULATIVE = 4;

/** Layout of `hot`: the fields a lookup reads, interleaved so one cache line serves a whole visit. */
export const HOT_STRIDE = 4;
export const HOT_KEY_LO = 0;
export const HOT_KEY_HI = 1;
export const HOT_NEXT_BY_KEY = 2;
/** slot in the low 16 bits, tier bits above. */
export const HOT_META = 3;
export const META_TIER_SHIFT = 16;
export const SLOT_MASK = 0xffff;

const GOLDEN = 0x9e3779b1;

/** Fibonacci hashing: the top bits of lo ^ hi times 2^32/φ, so keys with structured low bits still spread. */
export function keyBucketOf(lo: number, hi: number, shift: number): number {
  return Math.imul(lo ^ hi, GOLDEN) >>> shift;
}

export function engineBucketOf(lo: number, hi: number, slot: number, shift: number): number {
  // Mixes the slot in so one key held by many engines spreads over buckets.
  return Math.imul(lo ^ hi ^ Math.imul(slot + 1, 0x85ebca6b), GOLDEN) >>> shift;
}
