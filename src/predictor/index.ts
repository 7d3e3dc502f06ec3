// Public surface of the predictor component (see DESIGN.md): TTFT and TPOT models trained online from
// observed requests, off the request path, with accuracy stats.
export { PREDICTOR_ERRORS, type PredictorErrorCode } from "./errors.ts";
export { GbdtOptions, PredictorOptions } from "./options.ts";
export { createLatencyPredictor, type LatencyPredictor, type LatencyPredictorDeps } from "./predictor.ts";
export { createInlineTrainer, type Trainer } from "./trainer.ts";
export type {
  LatencyFeatures,
  LatencyPrediction,
  LatencyPredictorReader,
  LatencyRole,
  LatencySample,
  ModelAccuracy,
  ModelFamily,
  PredictorStats,
  TargetStats,
} from "./types.ts";
export { createWorkerTrainer, type WorkerTrainerOptions } from "./worker-trainer.ts";
