import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/picker/max-score-picker.ts";
import { createSeededRng } from "../../../src/scheduler/seeded-rng.ts";
import { endpoint, pluginDeps } from "../builders.ts";

const pool = [endpoint("a"), endpoint("b"), endpoint("c")];

describe("max-score-picker", () => {
  test("picks the highest total", () => {
    const picker = create("max", Params.parse({}), pluginDeps());
    expect(picker.pick(pool, Float64Array.of(1, 3, 2))).toBe(1);
  });

  test("breaks ties uniformly at random and never picks a lower score", () => {
    const picker = create("max", Params.parse({}), pluginDeps({ rng: createSeededRng(7) }));
    const counts = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const picked = picker.pick(pool, Float64Array.of(3, 1, 3));
      counts.set(picked, (counts.get(picked) ?? 0) + 1);
    }
    expect(counts.get(1)).toBeUndefined();
    expect(counts.get(0)).toBeGreaterThan(850);
    expect(counts.get(2)).toBeGreaterThan(850);
  });

  test("draws from the rng only on a tie", () => {
    let draws = 0;
    function countingRng(): number {
      draws++;
      return 0.99;
    }
    const picker = create("max", Params.parse({}), pluginDeps({ rng: countingRng }));
    expect(picker.pick(pool, Float64Array.of(1, 2, 3))).toBe(2);
    expect(draws).toBe(0);
    expect(picker.pick(pool, Float64Array.of(3, 1, 3))).toBe(2);
    expect(draws).toBe(1);
  });
});
