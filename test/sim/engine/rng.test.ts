// Seeded randomness: reproducible, uniform enough, and sensitive to every seed input.
import { describe, expect, test } from "bun:test";
import { createRng, hashInts, hashString, mixSeeds } from "../../../src/sim/engine/rng.ts";

describe("rng", () => {
  test("a seed reproduces its stream and draws stay in [0, 1)", () => {
    const a = createRng(123);
    const b = createRng(123);
    const draws = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(draws);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });

  test("mixing and hashing separate nearby inputs", () => {
    expect(mixSeeds(1, 2)).not.toBe(mixSeeds(2, 1));
    expect(mixSeeds(1, 2)).not.toBe(mixSeeds(1, 3));
    expect(hashString("req-1")).not.toBe(hashString("req-2"));
    expect(hashInts([1, 2, 3])).not.toBe(hashInts([1, 2, 4]));
    expect(hashString("x")).toBe(hashString("x"));
  });
});
