import { describe, expect, test } from "bun:test";
import { createSeededRng } from "../../src/scheduler/seeded-rng.ts";

describe("createSeededRng", () => {
  test("the same seed gives the same sequence, different seeds differ", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createSeededRng(seed));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  test("draws are uniform in [0,1)", () => {
    const rng = createSeededRng(1);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const value = rng();
      expect(value >= 0 && value < 1).toBe(true);
      buckets[Math.floor(value * 10)]++;
    }
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
