// Worker entry: tokenizes long prompts and hashes their blocks off the gateway's event loop (a cold
// 128k-token chat prompt takes ~200 ms to tokenize on one core). Build entry: list this file after
// src/main.ts in `bun build --compile` so the binary embeds it.
import { createBlockHasher } from "./block-hash.ts";
import type { BlockHasher } from "./block-hash-types.ts";
import { blockKeysOf, tokenizePrompt } from "./request-keys-prompt.ts";
import type { WorkerReply, WorkerRequest } from "./request-keys-worker-protocol.ts";
import { loadTokenizer } from "./tokenize/index.ts";
import type { PromptTokenizer } from "./tokenize/types.ts";

declare const self: Worker;

let tokenizer: PromptTokenizer | null = null;
let hasher: BlockHasher | null = null;

self.onmessage = async function onWorkerRequest(event: MessageEvent<WorkerRequest>) {
  const request = event.data;
  if (request.type === "init") {
    try {
      tokenizer = await loadTokenizer(request.modelDir, { sectionCacheChars: request.sectionCacheChars });
      hasher = await createBlockHasher(request.algo, request.pythonHashSeed);
      post({ type: "ready" });
    } catch (error) {
      post({ type: "init-failed", message: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  try {
    if (tokenizer === null || hasher === null) throw new Error("worker not initialised");
    const tokens = tokenizePrompt(tokenizer, request.prompt);
    const keys = blockKeysOf(hasher, tokens, request.blockSize, request.context);
    self.postMessage(
      { type: "keys", id: request.id, keys, promptTokens: tokens.length } satisfies WorkerReply,
      [keys.buffer],
    );
  } catch (error) {
    post({ type: "failed", id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
};

function post(reply: WorkerReply): void {
  self.postMessage(reply);
}
