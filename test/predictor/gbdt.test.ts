import { describe, expect, test } from "bun:test";
import { fitGbdt, type GbdtParams } from "../../src/predictor/gbdt.ts";
import { predictGbdt } from "../../src/predictor/gbdt-model.ts";
import { seededRng } from "../../src/predictor/train-job.ts";

const PARAMS: GbdtParams = {
  trees: 60,
  maxDepth: 4,
  learningRate: 0.3,
  minSamplesLeaf: 5,
  lambda: 0,
  subsample: 1,
  colsample: 1,
  maxBins: 64,
  loss: "l2",
};

function dataset(n: number, fn: (a: number, b: number) => number): { x: Float64Array; y: Float64Array } {
  const rng = seededRng(3);
  const x = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 3] = rng() * 10;
    x[i * 3 + 1] = rng() * 10;
    x[i * 3 + 2] = rng(); // noise feature
    y[i] = fn(x[i * 3] as number, x[i * 3 + 1] as number);
  }
  return { x, y };
}

describe("gradient-boosted trees", () => {
  test("fit a step interaction almost exactly and ignore a noise feature", () => {
    const fn = (a: number, b: number) => (a > 5 ? 10 : 0) + (b > 3 && a <= 5 ? 4 : 0);
    const { x, y } = dataset(2000, fn);
    const model = fitGbdt(x, y, 2000, 3, PARAMS, seededRng(1));
    for (const [a, b, expected] of [
      [7, 1, 10],
      [2, 1, 0],
      [2, 8, 4],
      [9, 9, 10],
    ] as const) {
      expect(predictGbdt(model, Float64Array.of(a, b, 0.5), 0)).toBeCloseTo(expected, 1);
    }
  });

  test("complete trees walk to the same leaves as training saw: predictions match a refit", () => {
    const { x, y } = dataset(500, (a, b) => a * b);
    const first = fitGbdt(x, y, 500, 3, { ...PARAMS, subsample: 0.7, colsample: 0.7 }, seededRng(9));
    const again = fitGbdt(x, y, 500, 3, { ...PARAMS, subsample: 0.7, colsample: 0.7 }, seededRng(9));
    for (let i = 0; i < 500; i += 37) expect(predictGbdt(first, x, i * 3)).toBe(predictGbdt(again, x, i * 3));
    let error = 0;
    for (let i = 0; i < 500; i++) error += Math.abs(predictGbdt(first, x, i * 3) - (y[i] as number));
    expect(error / 500).toBeLessThan(3);
  });

  test("l1 loss fits the median, unmoved by rare outliers", () => {
    const rng = seededRng(5);
    const n = 1000;
    const x = new Float64Array(n).map(() => rng());
    const y = new Float64Array(n).map((_, i) => (i % 10 === 0 ? 100 : 1));
    const l1 = fitGbdt(
      x,
      y,
      n,
      1,
      { ...PARAMS, loss: "l1", maxDepth: 1, trees: 200, learningRate: 0.1 },
      rng,
    );
    const l2 = fitGbdt(x, y, n, 1, { ...PARAMS, loss: "l2", maxDepth: 1 }, rng);
    expect(predictGbdt(l1, Float64Array.of(0.5), 0)).toBeCloseTo(1, 1);
    expect(predictGbdt(l2, Float64Array.of(0.5), 0)).toBeGreaterThan(5);
  });

  test("no rows: an empty model predicting the base 0", () => {
    const model = fitGbdt(new Float64Array(0), new Float64Array(0), 0, 3, PARAMS, seededRng(1));
    expect(model.treeCount).toBe(0);
    expect(predictGbdt(model, Float64Array.of(1, 2, 3), 0)).toBe(0);
  });
});
