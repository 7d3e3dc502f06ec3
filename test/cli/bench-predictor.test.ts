import { expect, test } from "bun:test";
import { desPredictorFactory } from "../../src/cli/bench-predictor.ts";
import { ConfigSchema } from "../../src/config/index.ts";
import { features } from "../predictor/builders.ts";

test("the simulation's predictor trains at once with the node's options and reports held-back accuracy", () => {
  const settings = ConfigSchema.parse({ predictor: { min_samples_for_training: 20 } }).predictor;
  let nowMs = 0;
  const predictor = desPredictorFactory(settings)(() => nowMs);
  expect(predictor.accuracy()).toBeNull();
  for (let i = 0; i < 300; i++) {
    nowMs += 100;
    const waitingRequests = i % 6;
    predictor.observe({
      features: features({ waitingRequests, inputTokens: 500 + (i % 7) * 100 }),
      ttftMs: 30 + 20 * waitingRequests,
      tpotMs: 10,
    });
  }
  // No await: an inline trainer's model serves before observe() returns.
  const accuracy = predictor.accuracy();
  expect(accuracy?.samplesObserved).toBe(300);
  expect(accuracy?.trainings).toBeGreaterThan(1);
  expect(accuracy?.testSamples).toBeGreaterThan(10);
  expect(accuracy?.ttftMape).toBeLessThan(0.2);
  expect(predictor.predict(features({ waitingRequests: 4 }))?.ttftMs).toBeGreaterThan(
    predictor.predict(features({ waitingRequests: 0 }))?.ttftMs ?? Number.POSITIVE_INFINITY,
  );
});
