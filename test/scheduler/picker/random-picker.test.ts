import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/picker/random-picker.ts";
import type { Picker } from "../../../src/scheduler/types.ts";
import { endpoint, pluginDeps } from "../builders.ts";

const pool = [endpoint("a"), endpoint("b"), endpoint("c"), endpoint("d")];

describe("random-picker", () => {
  test.each([
    [0, 0],
    [0.5, 2],
    [0.999, 3],
  ])("rng %p picks index %p whatever the scores", (draw, expected) => {
    const picker: Picker = create("random", Params.parse({}), pluginDeps({ rng: () => draw }));
    expect(picker.pick(pool, Float64Array.of(9, 0, 0, 0))).toBe(expected);
  });
});
