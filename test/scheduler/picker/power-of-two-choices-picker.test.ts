import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/picker/power-of-two-choices-picker.ts";
import { endpoint, pluginDeps } from "../builders.ts";

function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

const pool = [endpoint("a"), endpoint("b"), endpoint("c")];
const totals = Float64Array.of(5, 1, 9);

describe("power-of-two-choices-picker", () => {
  test("samples two distinct endpoints and keeps the higher score", () => {
    // first = ⌊0·3⌋ = 0; second = ⌊0.99·2⌋ = 1 → shifted past 0 → 2; 9 > 5 → 2.
    expect(create("p2c", Params.parse({}), pluginDeps({ rng: sequence([0, 0.99]) })).pick(pool, totals)).toBe(
      2,
    );
    // first = ⌊0.5·3⌋ = 1; second = 0; 5 > 1 → 0.
    expect(create("p2c", Params.parse({}), pluginDeps({ rng: sequence([0.5, 0]) })).pick(pool, totals)).toBe(
      0,
    );
  });

  test("never picks the lowest of three", () => {
    const picker = create("p2c", Params.parse({}), pluginDeps());
    for (let i = 0; i < 500; i++) expect(picker.pick(pool, totals)).not.toBe(1);
  });

  test("a single candidate is picked without drawing", () => {
    let draws = 0;
    function countingRng(): number {
      draws++;
      return 0;
    }
    const picker = create("p2c", Params.parse({}), pluginDeps({ rng: countingRng }));
    expect(picker.pick([endpoint("a")], Float64Array.of(0))).toBe(0);
    expect(draws).toBe(0);
  });
});
