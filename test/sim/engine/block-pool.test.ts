// BlockPool: vLLM's free-queue order, ref counts, eviction of cached blocks, and reset.
import { describe, expect, test } from "bun:test";
import { BlockPool } from "../../../src/sim/engine/block-pool.ts";

function digest(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

describe("BlockPool", () => {
  test("reserves block 0 as the null block and hands out the rest in order", () => {
    const pool = new BlockPool(4, () => {});
    expect(pool.usableBlocks).toBe(3);
    expect([pool.allocate(), pool.allocate(), pool.allocate()]).toEqual([1, 2, 3]);
    expect(pool.numFree).toBe(0);
    expect(() => pool.allocate()).toThrow();
  });

  test("frees a request's blocks tail first, so its last block is evicted first", () => {
    const evicted: Uint8Array[] = [];
    const pool = new BlockPool(4, (d) => evicted.push(d));
    const ids = [pool.allocate(), pool.allocate(), pool.allocate()];
    for (const [i, id] of ids.entries()) pool.commit(id, `k${i}`, digest(i));
    pool.release(ids);
    expect(pool.allocate()).toBe(3);
    expect(evicted).toEqual([digest(2)]);
    expect(pool.lookup("k2")).toBeUndefined();
    expect(pool.lookup("k0")).toBe(1);
  });

  test("touching an idle cached block takes it off the free queue", () => {
    const pool = new BlockPool(3, () => {});
    const id = pool.allocate();
    pool.commit(id, "k", digest(1));
    pool.release([id]);
    expect(pool.numFree).toBe(2);
    pool.touch(id);
    expect(pool.numFree).toBe(1);
    expect(pool.refCount(id)).toBe(1);
    expect(pool.allocate()).toBe(2);
  });

  test("a shared block returns to the free queue only when its last holder releases it", () => {
    const pool = new BlockPool(3, () => {});
    const id = pool.allocate();
    pool.touch(id);
    pool.release([id]);
    expect(pool.numUsed).toBe(1);
    pool.release([id]);
    expect(pool.numUsed).toBe(0);
  });

  test("keeps every physical copy of a hash until each is evicted", () => {
    const evicted: Uint8Array[] = [];
    const pool = new BlockPool(3, (d) => evicted.push(d));
    const [a, b] = [pool.allocate(), pool.allocate()];
    pool.commit(a, "same", digest(7));
    pool.commit(b, "same", digest(7));
    pool.release([a]);
    pool.release([b]);
    pool.allocate();
    expect(pool.lookup("same")).toBe(b);
    pool.allocate();
    expect(pool.lookup("same")).toBeUndefined();
    expect(evicted).toEqual([digest(7), digest(7)]);
  });

  test("reset forgets cached hashes only when no block is in use", () => {
    const pool = new BlockPool(3, () => {});
    const id = pool.allocate();
    pool.commit(id, "k", digest(1));
    expect(pool.reset()).toBe(false);
    pool.release([id]);
    expect(pool.reset()).toBe(true);
    expect(pool.lookup("k")).toBeUndefined();
  });
});
