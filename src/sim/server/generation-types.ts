// Inputs and outputs of one generation (a chat, completions or responses request on one engine):
// the sampling parameters vLLM's SamplingParams carries and the per-choice results.
import type { KvTransferIntent } from "../pd/params.ts";
import type { TokenLogprob } from "./logprobs.ts";

export type ChoiceFinishReason = "stop" | "length" | "abort" | "error";

export interface SamplingSpec {
  readonly minTokens: number;
  readonly ignoreEos: boolean;
  readonly stopTokenIds: readonly number[];
  readonly stops: readonly string[];
  readonly includeStopStrInOutput: boolean;
  /** Alternatives per token when logprobs are asked for, else null. */
  readonly topLogprobs: number | null;
  readonly loraName: string | null;
  readonly cacheSalt: string | null;
  readonly priority: number;
  readonly seed: number | null;
  readonly kvTransfer: KvTransferIntent;
  /** The request's kv_transfer_params as sent (the decode side passes them to the pull). */
  readonly kvTransferParams: Readonly<Record<string, unknown>> | null;
}

/** One engine request: a prompt × one of its `n` choices. */
export interface SequenceSpec {
  /** Choice index in the response (prompt index × n + choice). */
  readonly index: number;
  readonly promptIndex: number;
  readonly promptTokenIds: readonly number[];
  readonly maxTokens: number;
  /** Choice number within its prompt (seed offset, child-id prefix). */
  readonly choice: number;
}

export interface GenerationSpec {
  /** vLLM's request id (`chatcmpl-…`, `cmpl-…`); engine ids derive from it. */
  readonly requestId: string;
  readonly sequences: readonly SequenceSpec[];
  readonly sampling: SamplingSpec;
  /** `n` of the request (metrics). */
  readonly n: number;
}

/** New output of one choice since the last delta. */
export interface ChoiceDelta {
  readonly index: number;
  readonly text: string;
  readonly tokenIds: readonly number[];
  readonly logprobs: readonly TokenLogprob[];
  readonly finishReason: ChoiceFinishReason | null;
  /** The stop string or stop token id that ended the choice (vLLM's stop_reason). */
  readonly stopReason: string | number | null;
  /** Generated tokens of this choice so far (continuous usage stats). */
  readonly completionTokens: number;
}

export interface ChoiceResult {
  readonly index: number;
  readonly promptIndex: number;
  readonly text: string;
  readonly tokenIds: readonly number[];
  readonly logprobs: readonly TokenLogprob[];
  readonly finishReason: ChoiceFinishReason;
  readonly stopReason: string | number | null;
}

export interface GenerationResult {
  readonly choices: readonly ChoiceResult[];
  /** Prompt tokens, each prompt counted once whatever `n`. */
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Prompt tokens served from the prefix cache (local or transferred), of the first choice. */
  readonly cachedTokens: number;
  /** The prefill side's params for the decoder (P/D), else null. */
  readonly kvTransferParams: Record<string, unknown> | null;
  /** An engine-side error message when a choice ended with "error". */
  readonly error: string | null;
}

export interface GenerationListener {
  /** Streaming: new tokens or finishes, once per engine step that touched this request. */
  onDeltas?(deltas: readonly ChoiceDelta[]): void;
  /** Every choice finished (never called for a stalled request). */
  onDone(result: GenerationResult): void;
}
