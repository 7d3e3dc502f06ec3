import { describe, expect, test } from "bun:test";
import {
  createInlineTrainer,
  createLatencyPredictor,
  type LatencySample,
  PredictorOptions,
  type Trainer,
} from "../../src/predictor/index.ts";
import { features } from "./builders.ts";

/** A synthetic engine: TTFT 20 ms + 25 ms per thousand uncached tokens; TPOT 8 ms + 0.1 ms per running request. */
function sample(i: number): LatencySample {
  const inputTokens = 200 + ((i * 997) % 3000);
  const runningRequests = i % 40;
  const f = features({
    inputTokens,
    cachedTokens: 0,
    runningRequests,
    waitingRequests: i % 7,
    kvUsageRatio: (i % 20) / 20,
  });
  return { features: f, ttftMs: 20 + (25 * inputTokens) / 1000, tpotMs: 8 + 0.1 * runningRequests };
}

function predictor(
  options: Record<string, unknown> = {},
  trainer: Trainer = createInlineTrainer(),
  clock = { ms: 0 },
) {
  return createLatencyPredictor({
    options: PredictorOptions.parse({ minSamplesForTraining: 50, retrainIntervalMs: 1000, ...options }),
    now: () => clock.ms,
    trainer,
  });
}

describe("latency predictor", () => {
  test("predicts nothing until it has trained on minSamplesForTraining samples", async () => {
    const p = predictor();
    for (let i = 0; i < 40; i++) p.observe(sample(i));
    expect(p.predict(features())).toBeNull();
    expect(p.stats().isReady).toBe(false);
    for (let i = 40; i < 80; i++) p.observe(sample(i));
    await Bun.sleep(0);
    expect(p.stats().isReady).toBe(true);
    expect(p.stats().trainings).toBe(1);
  });

  test("learns a smooth engine closely and reports accuracy per family", async () => {
    const p = predictor();
    for (let i = 0; i < 3000; i++) p.observe(sample(i));
    await p.train();
    const probe = sample(12345);
    const prediction = p.predict(probe.features);
    expect(prediction).not.toBeNull();
    expect(Math.abs((prediction?.ttftMs ?? 0) - probe.ttftMs) / probe.ttftMs).toBeLessThan(0.05);
    expect(Math.abs((prediction?.tpotMs ?? 0) - (probe.tpotMs ?? 0)) / (probe.tpotMs ?? 1)).toBeLessThan(
      0.05,
    );
    const stats = p.stats();
    expect(stats.ttft.candidates.map((c) => c.family)).toEqual(["gbdt", "linear", "hybrid"]);
    expect(stats.ttft.selected?.mape).toBeLessThan(0.05);
    expect(stats.ttft.selected?.testSamples).toBeGreaterThan(100);
    expect(stats.ttft.selected?.coverage).toBeGreaterThan(0.8);
  });

  test("retrains no sooner than retrainIntervalMs after the last run", async () => {
    const clock = { ms: 0 };
    const p = predictor({}, createInlineTrainer(), clock);
    for (let i = 0; i < 60; i++) p.observe(sample(i));
    await Bun.sleep(0);
    clock.ms = 999;
    p.observe(sample(61));
    await Bun.sleep(0);
    expect(p.stats().trainings).toBe(1);
    clock.ms = 1000;
    p.observe(sample(62));
    await Bun.sleep(0);
    expect(p.stats().trainings).toBe(2);
    expect(p.stats().trainedAtMs).toBe(1000);
  });

  test("a prefill-role engine has no TPOT; a workload without multi-token samples has no TPOT model", async () => {
    const p = predictor();
    for (let i = 0; i < 200; i++) p.observe({ ...sample(i), tpotMs: null });
    await p.train();
    expect(p.predict(features())?.tpotMs).toBeNull();
    expect(p.predict(features({ role: "prefill" }))?.tpotMs).toBe(0);
  });

  test("a failed training run keeps the previous model serving and is counted and reported", async () => {
    let shouldFail = false;
    const inline = createInlineTrainer();
    const flaky: Trainer = {
      train: (job) => (shouldFail ? Promise.reject(new Error("worker died")) : inline.train(job)),
      close() {},
    };
    const errors: Error[] = [];
    const p = createLatencyPredictor({
      options: PredictorOptions.parse({ minSamplesForTraining: 50 }),
      now: () => 0,
      trainer: flaky,
      onTrainingError: (e) => errors.push(e),
    });
    for (let i = 0; i < 100; i++) p.observe(sample(i));
    await p.train();
    const before = p.predict(features());
    shouldFail = true;
    await p.train();
    expect(p.predict(features())).toEqual(before);
    expect(p.stats().trainingFailures).toBe(1);
    expect(errors[0]?.message).toBe("worker died");
  });

  test("an inline trainer's model serves before observe() returns (no await: virtual-time callers)", () => {
    const p = predictor();
    for (let i = 0; i < 60; i++) p.observe(sample(i));
    expect(p.stats().trainings).toBe(1);
    expect(p.predict(features())).not.toBeNull();
  });

  test("ignores samples without a positive TTFT", () => {
    const p = predictor();
    p.observe({ ...sample(1), ttftMs: 0 });
    p.observe({ ...sample(1), ttftMs: Number.NaN });
    expect(p.stats().samplesObserved).toBe(0);
  });
});
