// Seeded pseudo-random numbers for the simulated engine: mulberry32 streams and 32-bit seed mixing.
// The engine never calls Math.random(), so a benchmark replays it exactly from the same seeds.

/** A stream of uniform draws in [0, 1). */
export type Random01 = () => number;

/** mulberry32: 32-bit state, full period 2^32, good enough for token and length draws. */
export function createRng(seed: number): Random01 {
  let state = seed >>> 0;
  return function nextRandom01(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Combines two 32-bit values into one well-spread seed (murmur3 finalizer over a xor-rotate). */
export function mixSeeds(a: number, b: number): number {
  let h = (a ^ Math.imul((b >>> 0) + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a string's UTF-16 code units. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** FNV-1a over 32-bit integers (token ids). */
export function hashInts(values: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < values.length; i++) {
    h = Math.imul(h ^ ((values[i] ?? 0) >>> 0), 0x01000193);
  }
  return h >>> 0;
}
