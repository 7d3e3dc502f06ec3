// Worker entry: fits the latency models off the gateway's event loop (a 20k-row run takes ~1.3 s; see
// worker-trainer.ts). Build entry: list this file after src/main.ts in `bun build --compile`.
import { runTrainingJob } from "./train-job.ts";
import type { TrainReply, TrainRequest } from "./train-worker-protocol.ts";

declare const self: Worker;

self.onmessage = function onTrainRequest(event: MessageEvent<TrainRequest>) {
  const request = event.data;
  let reply: TrainReply;
  try {
    reply = { type: "trained", id: request.id, result: runTrainingJob(request.job) };
  } catch (error) {
    reply = {
      type: "failed",
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  self.postMessage(reply);
};
