import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/picker/weighted-random-picker.ts";
import { createSeededRng } from "../../../src/scheduler/seeded-rng.ts";
import { endpoint, pluginDeps } from "../builders.ts";

function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe("weighted-random-picker", () => {
  test("A-Res: the largest U^(1/w) wins; zero weights never draw", () => {
    // keys: a = 0.5^(1/1) = 0.5, c = 0.5^(1/2) ≈ 0.707 → c.
    const picker = create("wr", Params.parse({}), pluginDeps({ rng: sequence([0.5, 0.5]) }));
    expect(picker.pick([endpoint("a"), endpoint("b"), endpoint("c")], Float64Array.of(1, 0, 2))).toBe(2);
  });

  test("falls back to uniform when no score is positive", () => {
    const picker = create("wr", Params.parse({}), pluginDeps({ rng: () => 0.6 }));
    expect(picker.pick([endpoint("a"), endpoint("b"), endpoint("c")], Float64Array.of(0, 0, 0))).toBe(1);
  });

  test("picks in proportion to the scores", () => {
    const picker = create("wr", Params.parse({}), pluginDeps({ rng: createSeededRng(3) }));
    const pool = [endpoint("a"), endpoint("b")];
    let b = 0;
    for (let i = 0; i < 10_000; i++) if (picker.pick(pool, Float64Array.of(1, 3)) === 1) b++;
    expect(b / 10_000).toBeGreaterThan(0.72);
    expect(b / 10_000).toBeLessThan(0.78);
  });
});
