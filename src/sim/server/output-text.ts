// Output text of one choice as vLLM's output processor builds it: incremental detokenization
// (vllm/v1/engine/detokenizer.py), stop strings checked on new text only, and the stop-string
// hold-back in streaming (text that may still become a stop string is not sent yet).
import type { PromptTokenizer } from "../../kvcache/index.ts";

/** How vLLM decides an output is done, as the choice reports it. */
export interface StopMatch {
  /** The stop string that matched. */
  readonly stop: string;
}

export interface OutputTextOptions {
  readonly stops: readonly string[];
  readonly includeStopStrInOutput: boolean;
  /** Ids never rendered as text (EOS, stop_token_ids): vLLM skips special tokens when detokenizing. */
  readonly hiddenTokenIds: ReadonlySet<number>;
  readonly minTokens: number;
}

/** Accumulates one choice's tokens and text. */
export class OutputText {
  /** Every generated id, including hidden ones. */
  readonly tokenIds: number[] = [];
  private visibleIds: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;
  private text = "";
  private sentLength = 0;
  private readonly holdBack: number;

  constructor(
    private readonly tokenizer: PromptTokenizer,
    private readonly options: OutputTextOptions,
  ) {
    const longest = options.stops.reduce((max, stop) => Math.max(max, stop.length), 0);
    this.holdBack = options.includeStopStrInOutput || longest === 0 ? 0 : longest - 1;
  }

  /** Adds a token; returns a stop match when a stop string completed (text is then truncated). */
  push(tokenId: number): StopMatch | null {
    this.tokenIds.push(tokenId);
    if (this.options.hiddenTokenIds.has(tokenId)) return null;
    this.visibleIds.push(tokenId);
    const delta = this.decodeDelta();
    if (delta === "") return null;
    const before = this.text.length;
    this.text += delta;
    if (this.tokenIds.length <= this.options.minTokens) return null;
    return this.checkStops(before, delta.length);
  }

  /** Text not yet handed out; while not finished, withholds what could start a stop string. */
  takeDelta(isFinished: boolean): string {
    const end = isFinished ? this.text.length : Math.max(this.sentLength, this.text.length - this.holdBack);
    const delta = this.text.slice(this.sentLength, end);
    this.sentLength = end;
    return delta;
  }

  fullText(): string {
    return this.text;
  }

  private decodeDelta(): string {
    const ids = this.visibleIds;
    const prefixText = this.tokenizer.decode(ids.slice(this.prefixOffset, this.readOffset));
    const newText = this.tokenizer.decode(ids.slice(this.prefixOffset));
    // A trailing U+FFFD is an incomplete UTF-8 sequence: wait for the next token (vLLM does the same).
    if (newText.length <= prefixText.length || newText.endsWith("\uFFFD")) return "";
    this.prefixOffset = this.readOffset;
    this.readOffset = ids.length;
    // Keep the window small: two decodes per token regardless of output length.
    if (this.prefixOffset > 64) this.compact();
    return newText.slice(prefixText.length);
  }

  private compact(): void {
    this.visibleIds = this.visibleIds.slice(this.prefixOffset);
    this.readOffset -= this.prefixOffset;
    this.prefixOffset = 0;
  }

  /** vLLM's StopChecker: search only where the new text could complete a stop string. */
  private checkStops(previousLength: number, deltaLength: number): StopMatch | null {
    for (const stop of this.options.stops) {
      if (stop === "") continue;
      const from = Math.max(0, previousLength - stop.length + 1);
      const index = this.text.indexOf(stop, from);
      if (index < 0 || index >= previousLength + deltaLength) continue;
      const end = this.options.includeStopStrInOutput ? index + stop.length : index;
      this.text = this.text.slice(0, end);
      this.sentLength = Math.min(this.sentLength, end);
      return { stop };
    }
    return null;
  }
}
