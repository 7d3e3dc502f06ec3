// The running state of one choice: its engine request, output text, logprobs, timing and the
// finish decision (stop strings and client aborts override the engine's own reason).
import type { PromptTokenizer } from "../../kvcache/index.ts";
import type { SimRequestResult } from "../engine/types.ts";
import type {
  ChoiceDelta,
  ChoiceFinishReason,
  ChoiceResult,
  SamplingSpec,
  SequenceSpec,
} from "./generation-types.ts";
import { LogprobSource, type TokenLogprob } from "./logprobs.ts";
import { OutputText } from "./output-text.ts";

export class ChoiceState {
  readonly output: OutputText;
  readonly logprobSource: LogprobSource | null;
  readonly allLogprobs: TokenLogprob[] = [];
  arrivalMs = 0;
  firstTokenMs: number | null = null;
  lastTokenMs: number | null = null;
  /** Engine time the request was first scheduled (estimated from the step that produced token 1). */
  scheduledMs: number | null = null;
  finishReason: ChoiceFinishReason | null = null;
  stopReason: string | number | null = null;
  result: SimRequestResult | null = null;
  /** A stop string matched; the engine request is being aborted but reports "stop". */
  isStopping = false;
  isClientAborted = false;
  /** Reported its finish in a delta (or the final result). */
  isReported = false;
  /** Withholding output (--sim-stall). */
  isStalled = false;
  /** Cancels work started for this choice outside the engine (a P/D pull). */
  readonly cancel = new AbortController();
  private pendingIds: number[] = [];
  private pendingLogprobs: TokenLogprob[] = [];
  private readonly stopTokenIds: ReadonlySet<number>;

  constructor(
    readonly spec: SequenceSpec,
    readonly engineId: string,
    tokenizer: PromptTokenizer,
    sampling: SamplingSpec,
    seed: number,
  ) {
    this.stopTokenIds = new Set(sampling.stopTokenIds);
    const hidden = new Set(sampling.stopTokenIds);
    if (tokenizer.eosTokenId !== null) hidden.add(tokenizer.eosTokenId);
    this.output = new OutputText(tokenizer, {
      stops: sampling.stops,
      includeStopStrInOutput: sampling.includeStopStrInOutput,
      hiddenTokenIds: hidden,
      minTokens: sampling.minTokens,
    });
    this.logprobSource =
      sampling.topLogprobs === null
        ? null
        : new LogprobSource(tokenizer, seed, Math.max(1, sampling.topLogprobs));
  }

  get isFinished(): boolean {
    return this.finishReason !== null;
  }

  get tokenCount(): number {
    return this.output.tokenIds.length;
  }

  /** Adds a generated token; returns true when a stop string just matched. */
  addToken(tokenId: number, timeMs: number): boolean {
    if (this.firstTokenMs === null) this.firstTokenMs = timeMs;
    this.lastTokenMs = timeMs;
    this.pendingIds.push(tokenId);
    if (this.logprobSource !== null) {
      const entry = this.logprobSource.next(tokenId);
      this.pendingLogprobs.push(entry);
      this.allLogprobs.push(entry);
    }
    const match = this.output.push(tokenId);
    if (match === null) return false;
    this.isStopping = true;
    this.stopReason = match.stop;
    return true;
  }

  /** Records the engine's finish, overridden by a stop string or the client going away. */
  finish(result: SimRequestResult): void {
    this.result = result;
    if (this.isStopping) {
      this.finishReason = "stop";
      return;
    }
    this.finishReason = this.isClientAborted ? "abort" : result.reason;
    const last = this.output.tokenIds.at(-1);
    if (result.reason === "stop" && last !== undefined && this.stopTokenIds.has(last)) this.stopReason = last;
  }

  /** True when there is something to report since the last delta. */
  hasNews(): boolean {
    return this.pendingIds.length > 0 || (this.isFinished && !this.isReported);
  }

  takeDelta(): ChoiceDelta {
    const finished = this.isFinished;
    const delta: ChoiceDelta = {
      index: this.spec.index,
      text: this.output.takeDelta(finished),
      tokenIds: this.pendingIds,
      logprobs: this.pendingLogprobs,
      finishReason: this.finishReason,
      stopReason: this.stopReason,
      completionTokens: this.tokenCount,
    };
    this.pendingIds = [];
    this.pendingLogprobs = [];
    if (finished) this.isReported = true;
    return delta;
  }

  toResult(): ChoiceResult {
    return {
      index: this.spec.index,
      promptIndex: this.spec.promptIndex,
      text: this.output.fullText(),
      tokenIds: this.output.tokenIds,
      logprobs: this.allLogprobs,
      finishReason: this.finishReason ?? "abort",
      stopReason: this.stopReason,
    };
  }
}
