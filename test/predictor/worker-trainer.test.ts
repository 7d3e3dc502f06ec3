// Training on the Worker thread: the same models as inline training, and the gateway's event loop keeps
// running while a large run is in progress.
import { describe, expect, test } from "bun:test";
import { COL, encodeFeatures, ROW_WIDTH, TPOT_COL, TTFT_COL } from "../../src/predictor/features.ts";
import { createInlineTrainer, createWorkerTrainer, PredictorOptions } from "../../src/predictor/index.ts";
import { seededRng } from "../../src/predictor/train-job.ts";
import { StratifiedWindow } from "../../src/predictor/window.ts";
import { features } from "./builders.ts";

/** A window of `count` synthetic samples spread over many buckets. */
function window(count: number): StratifiedWindow {
  const rng = seededRng(4);
  const samples = new StratifiedWindow({ perBucket: 500, testCapacity: 1000, testRatio: 0.1, rng });
  const row = new Float64Array(ROW_WIDTH);
  for (let i = 0; i < count; i++) {
    encodeFeatures(
      features({
        waitingRequests: Math.floor(rng() * 15),
        kvUsageRatio: rng(),
        inputTokens: 100 + Math.floor(rng() * 8000),
        cachedTokens: Math.floor(rng() * 100),
        inFlightPrefillTokens: Math.floor(rng() * 20_000),
      }),
      row,
    );
    row[TTFT_COL] =
      15 + (row[COL.effectiveInputTokens] as number) / 40 + (row[COL.inFlightPrefillTokens] as number) / 60;
    row[TPOT_COL] = 6 + rng();
    samples.add(row);
  }
  return samples;
}

describe("worker trainer", () => {
  const options = PredictorOptions.parse({});

  test("fits the same models as inline training (same seed, same rows)", async () => {
    const samples = window(3000);
    const worker = createWorkerTrainer();
    try {
      const onWorker = await worker.train({
        training: samples.trainingRows(5000),
        test: samples.testRows(),
        options,
      });
      const inline = await createInlineTrainer().train({
        training: samples.trainingRows(5000),
        test: samples.testRows(),
        options,
      });
      expect(onWorker.ttft.selected).toEqual(inline.ttft.selected);
      expect(onWorker.ttft.model).toEqual(inline.ttft.model);
      expect(onWorker.tpot.candidates).toEqual(inline.tpot.candidates);
    } finally {
      worker.close();
    }
  });

  test("a 20k-row run leaves the event loop free: small synchronous cost, no long stall", async () => {
    const samples = window(60_000);
    const worker = createWorkerTrainer();
    try {
      // Warm the worker so its start-up is not measured.
      await worker.train({ training: samples.trainingRows(500), test: samples.testRows(), options });
      let worstGapMs = 0;
      let last = performance.now();
      const probe = setInterval(() => {
        const now = performance.now();
        worstGapMs = Math.max(worstGapMs, now - last);
        last = now;
      }, 1);
      const startMs = performance.now();
      const job = { training: samples.trainingRows(20_000), test: samples.testRows(), options };
      const pending = worker.train(job);
      const syncMs = performance.now() - startMs;
      const result = await pending;
      const totalMs = performance.now() - startMs;
      clearInterval(probe);
      console.log(
        `worker training of ${job.training.count} rows: ${totalMs.toFixed(0)} ms in all, ` +
          `${syncMs.toFixed(2)} ms on the caller's thread (row copy + post), worst loop gap ${worstGapMs.toFixed(1)} ms`,
      );
      expect(result.ttft.model).not.toBeNull();
      expect(job.training.count).toBe(20_000);
      expect(syncMs).toBeLessThan(totalMs / 5);
      expect(worstGapMs).toBeLessThan(Math.max(50, totalMs / 5));
    } finally {
      worker.close();
    }
  });

  test("a closed trainer refuses new jobs", async () => {
    const worker = createWorkerTrainer();
    worker.close();
    const samples = window(100);
    await expect(
      worker.train({ training: samples.trainingRows(100), test: samples.testRows(), options }),
    ).rejects.toThrow("closed");
  });
});
