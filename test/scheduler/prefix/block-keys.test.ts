import { describe, expect, test } from "bun:test";
import { BlockKeyChain, chainSeedOf } from "../../../src/scheduler/prefix/block-keys.ts";

function computeBlockKeys(text: string, seed: string, blockChars: number, maxBlocks: number) {
  return { keys: new BlockKeyChain(text, seed, blockChars, maxBlocks).all() };
}

const SEED = chainSeedOf("m", null, undefined);

describe("BlockKeyChain", () => {
  test("one key per block, the trailing partial block included, capped by maxBlocks", () => {
    expect(computeBlockKeys("x".repeat(130), SEED, 64, 0).keys.length).toBe(3);
    expect(computeBlockKeys("x".repeat(128), SEED, 64, 0).keys.length).toBe(2);
    expect(computeBlockKeys("x".repeat(130), SEED, 64, 2).keys.length).toBe(2);
    expect(computeBlockKeys("", SEED, 64, 0).keys.length).toBe(0);
  });

  test("keys are chained: equal prefixes give equal keys, and a block's key depends on all before it", () => {
    const a = computeBlockKeys(`${"A".repeat(64)}${"B".repeat(64)}${"C".repeat(64)}`, SEED, 64, 0).keys;
    const b = computeBlockKeys(`${"A".repeat(64)}${"B".repeat(64)}${"D".repeat(64)}`, SEED, 64, 0).keys;
    const c = computeBlockKeys(`${"Z".repeat(64)}${"B".repeat(64)}${"C".repeat(64)}`, SEED, 64, 0).keys;
    expect([...a.slice(0, 2)]).toEqual([...b.slice(0, 2)]);
    expect(a[2]).not.toBe(b[2]);
    for (let i = 0; i < 3; i++) expect(c[i]).not.toBe(a[i]);
  });

  test("model, LoRA adapter and cache_salt each start a different chain", () => {
    const text = "same text".repeat(20);
    const seeds = [
      SEED,
      chainSeedOf("other", null, undefined),
      chainSeedOf("m", "sql", undefined),
      chainSeedOf("m", null, "salt"),
    ];
    const firstKeys = new Set(seeds.map((seed) => computeBlockKeys(text, seed, 64, 0).keys[0]));
    expect(firstKeys.size).toBe(4);
  });

  test("20k random blocks get 20k distinct keys", () => {
    let state = 1;
    let text = "";
    for (let i = 0; i < 64 * 20_000; i++) {
      state = (Math.imul(state, 1103515245) + 12345) | 0;
      text += String.fromCharCode(97 + ((state >>> 16) % 26));
    }
    expect(new Set(computeBlockKeys(text, SEED, 64, 0).keys).size).toBe(20_000);
  });

  test("keys are exact integers below 2^53", () => {
    for (const key of computeBlockKeys("y".repeat(6400), SEED, 64, 0).keys) {
      expect(Number.isSafeInteger(key)).toBe(true);
      expect(key).toBeGreaterThanOrEqual(0);
    }
  });

  test("hashes lazily: a key read on its own equals the same key from a full pass", () => {
    const text = "abc".repeat(1000);
    const lazy = new BlockKeyChain(text, SEED, 64, 0);
    const full = new BlockKeyChain(text, SEED, 64, 0).all();
    expect(lazy.keyAt(5)).toBe(full[5] as number);
    expect(lazy.keyAt(2)).toBe(full[2] as number);
    expect([...lazy.all()]).toEqual([...full]);
    expect(lazy.length).toBe(full.length);
  });
});
