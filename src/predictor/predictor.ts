// The online latency predictor: observations go into the stratified window; training runs off the
// request path on the injected Trainer; prediction walks the serving models in microseconds.
import { encodeFeatures, FEATURE_COUNT, ROW_WIDTH, TPOT_COL, TTFT_COL } from "./features.ts";
import { createScratch, predictTarget, type TargetModel } from "./model.ts";
import type { PredictorOptions } from "./options.ts";
import { seededRng, type TrainingResult } from "./train-job.ts";
import type { Trainer } from "./trainer.ts";
import type {
  LatencyFeatures,
  LatencyPrediction,
  LatencyPredictorReader,
  LatencySample,
  PredictorStats,
  TargetStats,
} from "./types.ts";
import { StratifiedWindow } from "./window.ts";

export interface LatencyPredictorDeps {
  /** Validated options (PredictorOptions.parse). */
  readonly options: PredictorOptions;
  /** Clock in ms; only paces retraining. */
  readonly now: () => number;
  /** Where training runs: createWorkerTrainer() in the gateway; createInlineTrainer() in tests. */
  readonly trainer: Trainer;
  /** A training run failed (the previous model keeps serving); the owner logs it. */
  readonly onTrainingError?: (error: Error) => void;
}

export interface LatencyPredictor extends LatencyPredictorReader {
  /** Records one finished request. Cheap: copies a row; may start a training run in the background. */
  observe(sample: LatencySample): void;
  /** Trains on everything observed, after any run in progress; resolves when the new model serves. */
  train(): Promise<void>;
  stats(): PredictorStats;
  /** Stops the trainer; predict() keeps answering from the last model. */
  close(): void;
}

const EMPTY_TARGET: TargetStats = { selected: null, candidates: [] };

export function createLatencyPredictor(deps: LatencyPredictorDeps): LatencyPredictor {
  const { options, now, trainer } = deps;
  const samples = new StratifiedWindow({
    perBucket: options.perBucketSamples,
    testCapacity: options.maxTestSamples,
    testRatio: options.testRatio,
    rng: seededRng(options.seed),
  });
  const sampleRow = new Float64Array(ROW_WIDTH);
  const featureRow = new Float64Array(FEATURE_COUNT);
  const scratch = createScratch();
  let ttftModel: TargetModel | null = null;
  let tpotModel: TargetModel | null = null;
  let ttftStats = EMPTY_TARGET;
  let tpotStats = EMPTY_TARGET;
  let running: Promise<void> | null = null;
  let lastStartMs = Number.NEGATIVE_INFINITY;
  let trainedAtMs: number | null = null;
  let lastTrainingMs: number | null = null;
  let samplesObserved = 0;
  let newSamples = 0;
  let trainings = 0;
  let trainingFailures = 0;

  function apply(result: TrainingResult, startedAtMs: number): void {
    if (result.ttft.model !== null) {
      ttftModel = result.ttft.model;
      ttftStats = { selected: result.ttft.selected, candidates: result.ttft.candidates };
    }
    if (result.tpot.model !== null) {
      tpotModel = result.tpot.model;
      tpotStats = { selected: result.tpot.selected, candidates: result.tpot.candidates };
    }
    trainedAtMs = startedAtMs;
    lastTrainingMs = result.durationMs;
    trainings++;
  }

  function fail(error: unknown): void {
    trainingFailures++;
    deps.onTrainingError?.(error instanceof Error ? error : new Error(String(error)));
  }

  function startTraining(): Promise<void> {
    const startedAtMs = now();
    lastStartMs = startedAtMs;
    newSamples = 0;
    const job = {
      training: samples.trainingRows(options.maxTrainingSamples),
      test: samples.testRows(),
      options,
    };
    if (trainer.trainNow !== undefined) {
      try {
        apply(trainer.trainNow(job), startedAtMs);
      } catch (error) {
        fail(error);
      }
      return Promise.resolve();
    }
    running = trainer
      .train(job)
      .then((result) => apply(result, startedAtMs), fail)
      .finally(() => {
        running = null;
      });
    return running;
  }

  function isDue(): boolean {
    if (running !== null || samples.trainingSize < options.minSamplesForTraining) return false;
    if (ttftModel === null) return true;
    return newSamples > 0 && now() - lastStartMs >= options.retrainIntervalMs;
  }

  return {
    predict: function predictLatency(features: LatencyFeatures): LatencyPrediction | null {
      if (ttftModel === null) return null;
      encodeFeatures(features, featureRow);
      const ttftMs = predictTarget(ttftModel, featureRow, 0, scratch);
      let tpotMs: number | null = null;
      let tpotP90Ms: number | null = null;
      if (features.role === "prefill") {
        tpotMs = 0;
        tpotP90Ms = 0;
      } else if (tpotModel !== null) {
        tpotMs = predictTarget(tpotModel, featureRow, 0, scratch);
        tpotP90Ms = tpotMs * tpotModel.p90Factor;
      }
      return { ttftMs, ttftP90Ms: ttftMs * ttftModel.p90Factor, tpotMs, tpotP90Ms };
    },
    observe: function observeLatency(sample: LatencySample): void {
      if (!(sample.ttftMs > 0)) return;
      encodeFeatures(sample.features, sampleRow);
      sampleRow[TTFT_COL] = sample.ttftMs;
      sampleRow[TPOT_COL] = sample.tpotMs !== null && sample.tpotMs > 0 ? sample.tpotMs : Number.NaN;
      samples.add(sampleRow);
      samplesObserved++;
      newSamples++;
      if (isDue()) void startTraining();
    },
    train: async function trainNow() {
      if (running !== null) await running;
      if (samples.trainingSize > 0) await startTraining();
    },
    stats(): PredictorStats {
      return {
        isReady: ttftModel !== null,
        ttft: ttftStats,
        tpot: tpotStats,
        trainingSamples: samples.trainingSize,
        testSamples: samples.testSize,
        bucketsInUse: samples.bucketsInUse,
        samplesObserved,
        trainings,
        trainingFailures,
        lastTrainingMs,
        trainedAtMs,
      };
    },
    close() {
      trainer.close();
    },
  };
}
