// The gateway side of the request-keys worker: one Worker thread with its own tokenizer (and section
// cache) for long prompts; requests are answered in order, and a caller that gave up ignores its answer.
import type { BlockHashContext, PrefixHashAlgo } from "./block-hash-types.ts";
import type { PromptSpec } from "./request-keys-prompt.ts";
import type { WorkerReply, WorkerRequest } from "./request-keys-worker-protocol.ts";

export interface RequestKeysWorkerOptions {
  /** Model directory with tokenizer.json (the same one the inline tokenizer was loaded from). */
  readonly modelDir: string;
  readonly algo: PrefixHashAlgo;
  /** The engines' PYTHONHASHSEED. */
  readonly pythonHashSeed: string;
  readonly sectionCacheChars?: number;
  /** Where the worker script is; defaults to request-keys-worker.ts beside this file (see workerLocation). */
  readonly workerUrl?: string | URL;
}

export interface RequestKeysWorker {
  /** Tokenizes and hashes `prompt` on the worker thread. Rejects on a worker-side failure. */
  compute(
    prompt: PromptSpec,
    blockSize: number,
    context: BlockHashContext,
  ): Promise<{ keys: BigUint64Array; promptTokens: number }>;
  terminate(): void;
}

interface Waiter {
  resolve(value: { keys: BigUint64Array; promptTokens: number }): void;
  reject(error: Error): void;
}

/** Starts the worker and waits until its tokenizer is loaded (a few hundred ms). */
export async function createRequestKeysWorker(options: RequestKeysWorkerOptions): Promise<RequestKeysWorker> {
  const worker = new Worker(options.workerUrl ?? workerLocation());
  const waiters = new Map<number, Waiter>();
  let nextId = 0;
  let markReady: (error: Error | null) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = (error) => (error === null ? resolve() : reject(error));
  });
  worker.onmessage = function onWorkerReply(event: MessageEvent<WorkerReply>) {
    const reply = event.data;
    if (reply.type === "ready") return markReady(null);
    if (reply.type === "init-failed") return markReady(new Error(`request-keys worker: ${reply.message}`));
    const waiter = waiters.get(reply.id);
    waiters.delete(reply.id);
    if (reply.type === "keys") waiter?.resolve({ keys: reply.keys, promptTokens: reply.promptTokens });
    else waiter?.reject(new Error(reply.message));
  };
  worker.onerror = function onWorkerError(event) {
    const error = new Error(`request-keys worker error: ${event.message}`);
    markReady(error);
    for (const waiter of waiters.values()) waiter.reject(error);
    waiters.clear();
  };
  const init: WorkerRequest = {
    type: "init",
    modelDir: options.modelDir,
    algo: options.algo,
    pythonHashSeed: options.pythonHashSeed,
    sectionCacheChars: options.sectionCacheChars,
  };
  worker.postMessage(init);
  try {
    await ready;
  } catch (error) {
    worker.terminate();
    throw error;
  }
  return {
    compute(prompt, blockSize, context) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiters.set(id, { resolve, reject });
        worker.postMessage({ type: "keys", id, prompt, blockSize, context } satisfies WorkerRequest);
      });
    },
    terminate() {
      for (const waiter of waiters.values()) waiter.reject(new Error("request-keys worker terminated"));
      waiters.clear();
      worker.terminate();
    },
  };
}

/**
 * In the compiled binary, extra entry points are addressed by their path under the bundle root (src/, the
 * directory of main.ts), not relative to this module: `new URL(…, import.meta.url)` there names the
 * main chunk's directory and fails with ModuleNotFound (verified with bun build --compile, Bun 1.4.5).
 */
function workerLocation(): string | URL {
  if (Bun.isStandaloneExecutable) return "./kvcache/request-keys-worker.ts";
  return new URL("./request-keys-worker.ts", import.meta.url);
}
