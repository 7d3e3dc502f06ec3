import { expect, test } from "bun:test";
import { type GbdtModel, predictGbdt } from "../../src/predictor/gbdt-model.ts";

/** Two complete trees of depth 2 over features 0 and 1 (the second tree's right side is unsplit). */
const MODEL: GbdtModel = {
  family: "gbdt",
  base: 1,
  depth: 2,
  treeCount: 2,
  feature: Int32Array.of(0, 1, 1, 1, 0, 0),
  threshold: Float64Array.of(5, 3, 7, 2, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY),
  leaf: Float64Array.of(10, 20, 30, 40, 100, 100, 200, 200),
};

test.each([
  // x0 ≤ 5, x1 ≤ 3 → leaf 10; tree 2: x1 ≤ 2 → 100 (pass-left below).
  [[1, 1], 1 + 10 + 100],
  [[1, 4], 1 + 20 + 200],
  [[6, 6], 1 + 30 + 200],
  [[6, 8], 1 + 40 + 200],
])("walks complete trees: x = %p predicts %p", (x, expected) => {
  expect(predictGbdt(MODEL, Float64Array.from(x), 0)).toBe(expected);
});

test("reads the row at an offset, and tree counts not divisible by four", () => {
  const three: GbdtModel = {
    ...MODEL,
    treeCount: 5,
    feature: Int32Array.from({ length: 15 }, () => 0),
    threshold: Float64Array.from({ length: 15 }, () => 0.5),
    leaf: Float64Array.from({ length: 20 }, (_, i) => i % 4),
  };
  // x0 = 1 > 0.5 at every node: rightmost leaf (value 3) in each of the 5 trees.
  expect(predictGbdt(three, Float64Array.of(9, 9, 1), 2)).toBe(1 + 5 * 3);
});
