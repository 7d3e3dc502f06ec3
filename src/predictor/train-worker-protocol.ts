// Messages between the predictor and its training worker.
import type { TrainingJob, TrainingResult } from "./train-job.ts";

export type TrainRequest = { readonly type: "train"; readonly id: number; readonly job: TrainingJob };

export type TrainReply =
  | { readonly type: "trained"; readonly id: number; readonly result: TrainingResult }
  | { readonly type: "failed"; readonly id: number; readonly message: string };
