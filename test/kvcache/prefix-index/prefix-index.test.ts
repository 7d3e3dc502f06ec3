// The prefix index: stored/removed/cleared events, consecutive-prefix matching, tier weights, the LRU
// bound, speculative entries, and per-engine key modes (engine hashes vs token-derived keys).
import { describe, expect, test } from "bun:test";
import { PrefixIndex } from "../../../src/kvcache/prefix-index.ts";
import {
  batchOf,
  chainOf,
  foreignHasher,
  manualClock,
  removed,
  requestHasher,
  stored,
  tokensOf,
} from "./events.ts";

function newIndex(maxEntries = 1000) {
  const clock = manualClock();
  return { index: new PrefixIndex({ hasher: requestHasher, now: clock.now, maxEntries }), clock };
}

const chain = chainOf(tokensOf(4));

function match(index: PrefixIndex, keys: bigint[], engine: string) {
  return index.matchLengths(keys, [engine]).get(engine);
}

describe("PrefixIndex events", () => {
  test("a stored chain matches in full and an unknown engine matches 0", () => {
    const { index } = newIndex();
    expect(index.applyBatch("a", batchOf(stored(chain)))).toBe("applied");
    const result = index.matchLengths(chain.keys, ["a", "nobody"]);
    expect(result.get("a")).toEqual({ matchedBlocks: 4, weightedBlocks: 4 });
    expect(result.get("nobody")).toEqual({ matchedBlocks: 0, weightedBlocks: 0 });
    expect(index.matchLengths(chain.keys, ["a", "a"]).get("a")?.matchedBlocks).toBe(4);
    expect(index.engineKeyMode("a")).toBe("engine-hash");
    expect(index.engineBlockSize("a")).toBe(4);
  });

  test("matching stops at each engine's own first missing block", () => {
    const { index } = newIndex();
    index.applyBatch("a", batchOf(stored(chain, 0, 2), stored(chain, 3, 4)));
    index.applyBatch("b", batchOf(stored(chain, 0, 4), removed([chain.keys[0]!])));
    const result = index.matchLengths(chain.keys, ["a", "b"]);
    expect(result.get("a")?.matchedBlocks).toBe(2);
    expect(result.get("b")?.matchedBlocks).toBe(0);
  });

  test("BlockRemoved frees entries and counts removals of blocks it never held", () => {
    const { index } = newIndex();
    index.applyBatch("a", batchOf(stored(chain), removed([chain.keys[2]!, 999n])));
    expect(match(index, chain.keys, "a")?.matchedBlocks).toBe(2);
    expect(index.stats()).toMatchObject({
      entries: 3,
      blocksStored: 4,
      blocksRemoved: 1,
      unknownRemovals: 1,
    });
  });

  test("AllBlocksCleared drops only that engine's entries", () => {
    const { index } = newIndex();
    index.applyBatch("a", batchOf(stored(chain)));
    index.applyBatch("b", batchOf(stored(chain)));
    index.applyBatch("a", batchOf({ type: "AllBlocksCleared" }));
    const result = index.matchLengths(chain.keys, ["a", "b"]);
    expect(result.get("a")?.matchedBlocks).toBe(0);
    expect(result.get("b")?.matchedBlocks).toBe(4);
    expect(index.stats().entries).toBe(4);
  });

  test("CPU blocks weigh 0.8 and a block on both tiers weighs 1.0", () => {
    const { index } = newIndex();
    // Blocks 0-3 on GPU, blocks 2-3 offloaded to CPU (byte hashes, no tokens), then 3 leaves the GPU.
    const cpuBytes = chain.digests.slice(2, 4);
    index.applyBatch(
      "a",
      batchOf(stored(chain), {
        ...stored(chain, 2, 4, "CPU"),
        blockHashes: cpuBytes,
        parentBlockHash: null,
      }),
    );
    index.applyBatch("a", batchOf(removed([chain.keys[3]!])));
    expect(match(index, chain.keys, "a")).toEqual({ matchedBlocks: 4, weightedBlocks: 3.8 });
    index.applyBatch("a", batchOf(removed([cpuBytes[1]!], "CPU")));
    expect(match(index, chain.keys, "a")).toEqual({ matchedBlocks: 3, weightedBlocks: 3 });
  });

  test("sliding-window groups are not indexed", () => {
    const { index } = newIndex();
    index.applyBatch("a", batchOf({ ...stored(chain), kvCacheSpecKind: "sliding_window", groupIdx: 1 }));
    expect(index.stats().entries).toBe(0);
  });
});

describe("PrefixIndex bound", () => {
  test("never holds more than maxEntries and evicts the least recently stored", () => {
    const { index } = newIndex(6);
    const long = chainOf(tokensOf(8, 100));
    index.applyBatch("a", batchOf(stored(long, 0, 4)));
    // Re-storing block 0 makes it recent, so blocks 1 and 2 are the ones evicted by blocks 4..7.
    index.applyBatch("a", batchOf(stored(long, 0, 1), stored(long, 4, 8)));
    expect(index.stats()).toMatchObject({ entries: 6, evictions: 2 });
    expect(index.has("a", long.keys[0]!)).toBe(true);
    expect(index.has("a", long.keys[1]!)).toBe(false);
    expect(index.has("a", long.keys[2]!)).toBe(false);
    expect(match(index, long.keys, "a")?.matchedBlocks).toBe(1);
  });

  test("evicts from the engine holding the most entries", () => {
    const { index } = newIndex(6);
    const big = chainOf(tokensOf(5, 200));
    index.applyBatch("small", batchOf(stored(chain, 0, 1)));
    index.applyBatch("big", batchOf(stored(big)));
    index.applyBatch("small", batchOf(stored(chain, 1, 2)));
    expect(index.has("small", chain.keys[0]!)).toBe(true);
    expect(index.has("big", big.keys[0]!)).toBe(false);
  });

  test("keeps every entry exact across table growth", () => {
    const { index } = newIndex(100_000);
    const chains = Array.from({ length: 50 }, (_, i) => chainOf(tokensOf(200, i * 10_000)));
    for (const [i, c] of chains.entries()) index.applyBatch(`e${i % 7}`, batchOf(stored(c)));
    expect(index.stats().entries).toBe(10_000);
    for (const [i, c] of chains.entries()) {
      expect(match(index, c.keys, `e${i % 7}`)?.matchedBlocks).toBe(200);
      expect(match(index, c.keys, `e${(i + 1) % 7}`)?.matchedBlocks).toBe(0);
    }
  });
});

describe("PrefixIndex speculative entries", () => {
  test("match until their TTL passes", () => {
    const { index, clock } = newIndex();
    index.insertSpeculative("a", chain.keys);
    expect(match(index, chain.keys, "a")).toEqual({ matchedBlocks: 4, weightedBlocks: 4 });
    clock.advance(1999);
    expect(match(index, chain.keys, "a")?.matchedBlocks).toBe(4);
    clock.advance(1);
    expect(match(index, chain.keys, "a")?.matchedBlocks).toBe(0);
    expect(index.stats()).toMatchObject({ entries: 0, speculativeEntries: 0 });
  });

  test("a matching BlockStored confirms them past the TTL", () => {
    const { index, clock } = newIndex();
    index.insertSpeculative("a", chain.keys, 500);
    index.applyBatch("a", batchOf(stored(chain, 0, 2)));
    clock.advance(501);
    expect(match(index, chain.keys, "a")?.matchedBlocks).toBe(2);
    expect(index.stats()).toMatchObject({ entries: 2, speculativeEntries: 0 });
  });

  test("a later pick extends the deadline; confirmed blocks are never made speculative", () => {
    const { index, clock } = newIndex();
    index.applyBatch("a", batchOf(stored(chain, 0, 1)));
    index.insertSpeculative("a", chain.keys, 1000);
    clock.advance(800);
    index.insertSpeculative("a", chain.keys, 1000);
    clock.advance(800);
    expect(match(index, chain.keys, "a")?.matchedBlocks).toBe(4);
    clock.advance(300);
    expect(match(index, chain.keys, "a")?.matchedBlocks).toBe(1);
  });

  test("accepts keys as a BigUint64Array", () => {
    const { index } = newIndex();
    index.insertSpeculative("a", BigUint64Array.from(chain.keys));
    expect(match(index, chain.keys, "a")?.matchedBlocks).toBe(4);
    expect(index.matchLengths(BigUint64Array.from(chain.keys), ["a"]).get("a")?.matchedBlocks).toBe(4);
  });
});

describe("PrefixIndex key modes", () => {
  const foreign = chainOf(chain.tokens, foreignHasher);

  test("an engine hashing differently is re-keyed from its token ids after a resync", () => {
    const { index } = newIndex();
    expect(index.applyBatch("x", batchOf(stored(foreign, 0, 2)))).toBe("resync");
    expect(index.engineKeyMode("x")).toBe("token-derived");
    expect(index.stats().entries).toBe(0);
    // The replay from seq 0 delivers the same events again.
    expect(index.applyBatch("x", batchOf(stored(foreign, 0, 2), stored(foreign, 2, 4)))).toBe("applied");
    expect(match(index, chain.keys, "x")).toEqual({ matchedBlocks: 4, weightedBlocks: 4 });
    // Removals and CPU events name blocks by the engine's own hashes.
    index.applyBatch("x", batchOf({ ...stored(foreign, 3, 4, "CPU"), blockHashes: [foreign.digests[3]!] }));
    index.applyBatch("x", batchOf(removed([foreign.keys[3]!]), removed([foreign.keys[1]!])));
    expect(match(index, chain.keys, "x")).toEqual({ matchedBlocks: 1, weightedBlocks: 1 });
  });

  test("blocks whose parent the index never saw are counted, not guessed", () => {
    const { index } = newIndex();
    index.applyBatch("x", batchOf(stored(foreign, 0, 1)));
    index.applyBatch("x", batchOf(stored(foreign, 2, 4)));
    expect(index.stats().unresolvedBlocks).toBe(2);
  });

  test("speculative entries of a token-derived engine are confirmed by its events", () => {
    const { index, clock } = newIndex();
    index.applyBatch("x", batchOf(stored(foreign, 0, 1)));
    index.insertSpeculative("x", chain.keys);
    index.applyBatch("x", batchOf(stored(foreign, 0, 4)));
    clock.advance(5000);
    expect(match(index, chain.keys, "x")?.matchedBlocks).toBe(4);
    index.applyBatch("x", batchOf(removed([foreign.keys[0]!])));
    expect(match(index, chain.keys, "x")?.matchedBlocks).toBe(0);
  });

  test("clearing an engine decides its mode again and removing it frees its slot", () => {
    const { index } = newIndex();
    index.applyBatch("a", batchOf(stored(chain)));
    index.clearEngine("a");
    expect(index.engineKeyMode("a")).toBe("pending");
    index.removeEngine("a");
    expect(index.engineKeyMode("a")).toBeNull();
    index.applyBatch("b", batchOf(stored(chain)));
    expect(match(index, chain.keys, "b")?.matchedBlocks).toBe(4);
    expect(match(index, chain.keys, "a")?.matchedBlocks).toBe(0);
  });
});
