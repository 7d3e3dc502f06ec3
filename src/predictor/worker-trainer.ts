// Trains on a Worker thread so the gateway's event loop never stalls. Measured (Bun 1.4.5, 2-core box):
// a run over 20k rows (two targets, three families) takes ~1.3 s; one boosting round over 20k rows takes
// ~2.5 ms and its root histogram alone over 1 ms, so time-slicing into ≤ 1 ms chunks would have to split
// single histogram passes. On the caller's thread a run costs ~1 ms (row copy + post) plus the model's
// structured clone on return (test/predictor/worker-trainer.test.ts prints the figures).
import type { TrainingJob, TrainingResult } from "./train-job.ts";
import type { TrainReply, TrainRequest } from "./train-worker-protocol.ts";
import type { Trainer } from "./trainer.ts";

export interface WorkerTrainerOptions {
  /** Where the worker script is; defaults to train-worker.ts beside this file (see workerLocation). */
  readonly workerUrl?: string | URL;
}

interface Waiter {
  resolve(result: TrainingResult): void;
  reject(error: Error): void;
}

/** Starts the training worker; call close() to stop it. */
export function createWorkerTrainer(options: WorkerTrainerOptions = {}): Trainer {
  const worker = new Worker(options.workerUrl ?? workerLocation());
  const waiters = new Map<number, Waiter>();
  let nextId = 0;
  let isClosed = false;
  worker.onmessage = function onTrainReply(event: MessageEvent<TrainReply>) {
    const reply = event.data;
    const waiter = waiters.get(reply.id);
    waiters.delete(reply.id);
    if (reply.type === "trained") waiter?.resolve(reply.result);
    else waiter?.reject(new Error(`latency training failed: ${reply.message}`));
  };
  worker.onerror = function onWorkerError(event) {
    const error = new Error(`latency training worker error: ${event.message}`);
    for (const waiter of waiters.values()) waiter.reject(error);
    waiters.clear();
  };
  return {
    train: function trainOnWorker(job: TrainingJob) {
      if (isClosed) return Promise.reject(new Error("latency training worker is closed"));
      const id = nextId++;
      return new Promise<TrainingResult>((resolve, reject) => {
        waiters.set(id, { resolve, reject });
        const request: TrainRequest = { type: "train", id, job };
        worker.postMessage(request, [job.training.rows.buffer, job.test.rows.buffer]);
      });
    },
    close() {
      isClosed = true;
      for (const waiter of waiters.values()) waiter.reject(new Error("latency training worker closed"));
      waiters.clear();
      worker.terminate();
    },
  };
}

/**
 * In the compiled binary, extra entry points are addressed by their path under the bundle root (src/),
 * not relative to this module (the same rule as kvcache's request-keys worker, Bun 1.4.5).
 */
function workerLocation(): string | URL {
  if (Bun.isStandaloneExecutable) return "./predictor/train-worker.ts";
  return new URL("./train-worker.ts", import.meta.url);
}
