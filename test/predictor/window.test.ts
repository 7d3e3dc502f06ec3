import { describe, expect, test } from "bun:test";
import { COL, ROW_WIDTH, TTFT_COL } from "../../src/predictor/features.ts";
import { StratifiedWindow } from "../../src/predictor/window.ts";

function sample(waiting: number, ttftMs: number): Float64Array {
  const row = new Float64Array(ROW_WIDTH);
  row[COL.waitingRequests] = waiting;
  row[TTFT_COL] = ttftMs;
  return row;
}

function never(): number {
  return 0.99;
}

describe("stratified window", () => {
  test("a burst of one regime does not push a rare regime out", () => {
    const window = new StratifiedWindow({ perBucket: 10, testCapacity: 10, testRatio: 0.1, rng: never });
    for (let i = 0; i < 3; i++) window.add(sample(20, 1000 + i));
    for (let i = 0; i < 500; i++) window.add(sample(0, i));
    expect(window.trainingSize).toBe(13);
    expect(window.bucketsInUse).toBe(2);
    const { rows, count } = window.trainingRows(100);
    const ttfts = Array.from({ length: count }, (_, i) => rows[i * ROW_WIDTH + TTFT_COL]);
    expect(ttfts.filter((t) => (t as number) >= 1000).sort()).toEqual([1000, 1001, 1002]);
    // The busy bucket keeps its newest 10.
    expect(ttfts.filter((t) => (t as number) < 1000).sort((a, b) => (a as number) - (b as number))).toEqual(
      Array.from({ length: 10 }, (_, i) => 490 + i),
    );
  });

  test("a training set smaller than the window shares rows evenly, small buckets giving up their unused share", () => {
    const window = new StratifiedWindow({ perBucket: 100, testCapacity: 10, testRatio: 0.1, rng: never });
    for (let i = 0; i < 2; i++) window.add(sample(20, 1));
    for (let i = 0; i < 100; i++) window.add(sample(0, 2));
    for (let i = 0; i < 100; i++) window.add(sample(4, 3));
    const { rows, count } = window.trainingRows(20);
    const counts = [1, 2, 3].map(
      (t) =>
        Array.from({ length: count }, (_, i) => rows[i * ROW_WIDTH + TTFT_COL]).filter((x) => x === t).length,
    );
    expect(counts).toEqual([2, 9, 9]);
  });

  test("holds back about testRatio of the samples, newest kept up to testCapacity", () => {
    let n = 0;
    const window = new StratifiedWindow({
      perBucket: 1000,
      testCapacity: 5,
      testRatio: 0.25,
      rng: () => ((n++ % 4) + 0.5) / 4,
    });
    for (let i = 0; i < 40; i++) window.add(sample(0, i));
    expect(window.testSize).toBe(5);
    expect(window.trainingSize).toBe(30);
    const test = window.testRows();
    expect(
      Array.from({ length: test.count }, (_, i) => test.rows[i * ROW_WIDTH + TTFT_COL]).sort(
        (a, b) => (a as number) - (b as number),
      ),
    ).toEqual([20, 24, 28, 32, 36]);
  });
});
