// Plausible, deterministic logprobs for simulated tokens, shaped as vLLM's chat and completions
// logprobs. The sampled token is the most likely one; alternatives are other sampleable tokens.
import type { PromptTokenizer } from "../../kvcache/index.ts";
import { createRng, mixSeeds, type Random01 } from "../engine/rng.ts";

/** vLLM clamps -inf to this (protocol.py ChatCompletionLogProb default). */
const MIN_LOGPROB = -9999.0;

export interface TokenAlternative {
  readonly token: string;
  readonly logprob: number;
}

export interface TokenLogprob extends TokenAlternative {
  /** Most likely first; the sampled token included, as vLLM's top_logprobs are. */
  readonly top: readonly TokenAlternative[];
}

/** Draws logprobs for one choice; one instance per choice keeps them reproducible. */
export class LogprobSource {
  private readonly rng: Random01;

  constructor(
    private readonly tokenizer: PromptTokenizer,
    seed: number,
    private readonly topN: number,
  ) {
    this.rng = createRng(mixSeeds(seed >>> 0, 0x6c6f6770));
  }

  next(tokenId: number): TokenLogprob {
    const token = this.tokenizer.decode([tokenId]);
    // Sampled tokens of a confident model: probabilities mostly 0.4-1.
    const logprob = round(Math.log(0.4 + 0.6 * this.rng()));
    const top: TokenAlternative[] = [{ token, logprob }];
    let floor = logprob;
    for (let i = 1; i < this.topN; i++) {
      floor = floor - 0.5 - 3 * this.rng();
      const alternative = this.tokenizer.decode([this.tokenizer.sampleTokenId(this.rng())]);
      top.push({ token: alternative, logprob: round(Math.max(MIN_LOGPROB, floor)) });
    }
    return { token, logprob, top };
  }
}

/** UTF-8 bytes of a token string (the `bytes` field of chat logprobs). */
export function tokenBytes(token: string): number[] {
  return Array.from(new TextEncoder().encode(token));
}

/** Chat `logprobs.content[i]`. */
export function chatLogprobEntry(entry: TokenLogprob, topLogprobs: number): Record<string, unknown> {
  return {
    token: entry.token,
    logprob: entry.logprob,
    bytes: tokenBytes(entry.token),
    top_logprobs: entry.top.slice(0, topLogprobs).map((alt) => ({
      token: alt.token,
      logprob: alt.logprob,
      bytes: tokenBytes(alt.token),
    })),
  };
}

/** Completions `logprobs` for a run of tokens, text offsets starting at `initialOffset`. */
export function completionLogprobs(entries: readonly TokenLogprob[], topN: number, initialOffset: number) {
  const textOffset: number[] = [];
  let offset = initialOffset;
  for (const entry of entries) {
    textOffset.push(offset);
    offset += entry.token.length;
  }
  return {
    text_offset: textOffset,
    token_logprobs: entries.map((e) => e.logprob),
    tokens: entries.map((e) => e.token),
    // vLLM includes the sampled token plus up to `logprobs` alternatives.
    top_logprobs: entries.map((e) =>
      Object.fromEntries(e.top.slice(0, topN + 1).map((a) => [a.token, a.logprob])),
    ),
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
