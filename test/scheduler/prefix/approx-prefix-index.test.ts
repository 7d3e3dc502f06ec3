import { describe, expect, test } from "bun:test";
import { ApproxPrefixIndex } from "../../../src/scheduler/prefix/approx-prefix-index.ts";

/** Keys as a KeySequence, the way the producer hands them over. */
function seq(...keys: number[]) {
  return { length: keys.length, keyAt: (i: number) => keys[i] as number };
}

function index(defaultCapacityBlocks = 100, maxTotalBlocks = 1000): ApproxPrefixIndex {
  return new ApproxPrefixIndex({ defaultCapacityBlocks, maxTotalBlocks });
}

describe("ApproxPrefixIndex", () => {
  test("matches the leading blocks an endpoint holds", () => {
    const idx = index();
    idx.insert("a", Float64Array.of(1, 2, 3));
    expect(idx.matchLength("a", seq(1, 2, 3, 4))).toBe(3);
    expect(idx.matchLength("a", seq(9, 1, 2))).toBe(0);
    expect(idx.matchLength("unknown", seq(1))).toBe(0);
  });

  test("stops at the endpoint's own first missing block, even when another endpoint holds it", () => {
    const idx = index();
    idx.insert("a", Float64Array.of(1, 2, 3));
    idx.insert("b", Float64Array.of(1, 3));
    expect(idx.matchLength("b", seq(1, 2, 3))).toBe(1);
  });

  test("evicts least recently used blocks, tail blocks of a request before its prefix", () => {
    const idx = index(4);
    idx.insert("a", Float64Array.of(1, 2, 3, 4, 5, 6));
    expect(idx.blocksOf("a")).toBe(4);
    expect(idx.matchLength("a", seq(1, 2, 3, 4, 5, 6))).toBe(4);
    idx.insert("a", Float64Array.of(10, 11));
    expect(idx.matchLength("a", seq(1, 2, 3, 4))).toBe(2);
    expect(idx.matchLength("a", seq(10, 11))).toBe(2);
  });

  test("re-inserting a block refreshes it", () => {
    const idx = index(3);
    idx.insert("a", Float64Array.of(1, 2, 3));
    idx.insert("a", Float64Array.of(3));
    idx.insert("a", Float64Array.of(7));
    expect(idx.matchLength("a", seq(3))).toBe(1);
    expect(idx.matchLength("a", seq(1, 2))).toBe(1);
  });

  test("keeps the total under maxTotalBlocks by giving each endpoint an equal share", () => {
    const idx = index(4, 6);
    idx.insert("a", Float64Array.of(1, 2, 3, 4));
    expect(idx.totalBlocks()).toBe(4);
    idx.insert("b", Float64Array.of(5, 6, 7, 8));
    expect(idx.blocksOf("a")).toBe(3);
    expect(idx.blocksOf("b")).toBe(3);
    expect(idx.matchLength("a", seq(1, 2, 3, 4))).toBe(3);
  });

  test("an engine's own capacity replaces the default", () => {
    const idx = index(100);
    idx.insert("a", Float64Array.of(1, 2, 3, 4));
    idx.setEngineCapacity("a", 2);
    expect(idx.matchLength("a", seq(1, 2, 3, 4))).toBe(2);
  });

  test("forgets endpoints that left", () => {
    const idx = index();
    idx.insert("a", Float64Array.of(1));
    idx.insert("b", Float64Array.of(1));
    idx.retain(new Set(["b"]));
    expect(idx.matchLength("a", seq(1))).toBe(0);
    expect(idx.totalBlocks()).toBe(1);
  });
});
