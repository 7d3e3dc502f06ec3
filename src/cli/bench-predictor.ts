// The latency predictor `llmux bench --simulate` trains for policies that route on predictions: the
// node's model with the node's `predictor:` options, on an inline trainer, so every training run
// completes at one virtual instant and a seed replays the same run.
import type { DesPredictorFactory } from "../bench/index.ts";
import type { PredictorConfig } from "../config/index.ts";
import { createInlineTrainer, createLatencyPredictor } from "../predictor/index.ts";
import { predictorOptionsOf } from "./predictor-setup.ts";

export function desPredictorFactory(settings: PredictorConfig): DesPredictorFactory {
  return function createDesPredictor(now) {
    const predictor = createLatencyPredictor({
      options: predictorOptionsOf(settings),
      now,
      trainer: createInlineTrainer(),
    });
    return {
      predict: (features) => predictor.predict(features),
      observe: (sample) => predictor.observe(sample),
      accuracy() {
        const stats = predictor.stats();
        const ttft = stats.ttft.selected;
        if (ttft === null) return null;
        return {
          family: ttft.family,
          ttftMape: ttft.mape,
          ttftCoverage: ttft.coverage,
          tpotMape: stats.tpot.selected?.mape ?? null,
          testSamples: ttft.testSamples,
          samplesObserved: stats.samplesObserved,
          trainings: stats.trainings,
        };
      },
    };
  };
}
