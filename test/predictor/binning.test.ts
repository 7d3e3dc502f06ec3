import { describe, expect, test } from "bun:test";
import { binEdges, binRows } from "../../src/predictor/binning.ts";

describe("binning", () => {
  test("few distinct values: one threshold per value but the largest", () => {
    const x = Float64Array.of(0, 1, 1, 0, 1);
    expect([...(binEdges(x, 5, 1, 64)[0] ?? [])]).toEqual([0]);
    expect([...binRows(x, 5, 1, binEdges(x, 5, 1, 64))]).toEqual([0, 1, 1, 0, 1]);
  });

  test("many values: quantile thresholds, rows equal to a threshold fall left of it", () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const edges = binEdges(x, 100, 1, 4);
    expect([...(edges[0] ?? [])]).toEqual([25, 50, 75]);
    expect([...binRows(Float64Array.of(25, 26, 99, -1), 4, 1, edges)]).toEqual([0, 1, 3, 0]);
  });

  test("features are binned independently from rows packed `width` apart", () => {
    const x = Float64Array.of(1, 10, 2, 20, 3, 30);
    const edges = binEdges(x, 3, 2, 64);
    expect(edges.map((e) => [...e])).toEqual([
      [1, 2],
      [10, 20],
    ]);
  });
});
