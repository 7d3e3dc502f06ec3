// Where training runs: the Trainer contract, and the inline trainer that runs a job on the calling
// thread (for tests and the benchmark's virtual-time simulation; the gateway uses worker-trainer.ts).
import { runTrainingJob, type TrainingJob, type TrainingResult } from "./train-job.ts";

export interface Trainer {
  /** Runs one job; rejects when training fails. The job's arrays may be transferred (do not reuse them). */
  train(job: TrainingJob): Promise<TrainingResult>;
  /**
   * Runs one job on the calling thread and returns its result; throws when training fails. When present,
   * the predictor serves the new model before observe() returns: a virtual-time simulation never yields
   * to the event loop, so a model applied in a promise callback would arrive only after the run.
   */
  trainNow?(job: TrainingJob): TrainingResult;
  close(): void;
}

/** Trains on the calling thread: blocks it for the whole run (see worker-trainer.ts for the measured cost). */
export function createInlineTrainer(): Trainer {
  return {
    train: async function trainInline(job) {
      return runTrainingJob(job);
    },
    trainNow: function trainInlineNow(job) {
      return runTrainingJob(job);
    },
    close() {},
  };
}
