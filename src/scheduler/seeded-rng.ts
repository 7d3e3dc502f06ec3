// Seedable uniform random source for tie-breaks and random pickers (mulberry32: tiny, fast, and
// ample for load spreading; not for anything security-related).

/** Returns a generator of uniform numbers in [0,1); the same seed gives the same sequence. */
export function createSeededRng(seed: number): () => number {
  let state = seed >>> 0;
  return function nextRandom() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
