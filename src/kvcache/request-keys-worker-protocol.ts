// Messages between the gateway thread and the request-keys worker.
import type { BlockHashContext, PrefixHashAlgo } from "./block-hash-types.ts";
import type { PromptSpec } from "./request-keys-prompt.ts";

export type WorkerRequest =
  | {
      readonly type: "init";
      readonly modelDir: string;
      readonly algo: PrefixHashAlgo;
      readonly pythonHashSeed: string | undefined;
      readonly sectionCacheChars: number | undefined;
    }
  | {
      readonly type: "keys";
      readonly id: number;
      readonly prompt: PromptSpec;
      readonly blockSize: number;
      readonly context: BlockHashContext;
    };

export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "init-failed"; readonly message: string }
  | {
      readonly type: "keys";
      readonly id: number;
      readonly keys: BigUint64Array;
      readonly promptTokens: number;
    }
  | { readonly type: "failed"; readonly id: number; readonly message: string };
