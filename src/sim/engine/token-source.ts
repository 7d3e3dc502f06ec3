// Deterministic generated tokens of one request: a seeded stream of token ids and a natural
// length at which the "model" emits EOS. Same seeds and prompt give the same tokens on any engine.

import { createRng, hashInts, hashString, mixSeeds, type Random01 } from "./rng.ts";
import type { SimRequest } from "./types.ts";

/** Maps a uniform draw to a token id. */
export type TokenSampler = (random01: number) => number;

// A printable id range present in every common vocabulary, far from special tokens.
const DEFAULT_MIN_TOKEN_ID = 1000;
const DEFAULT_TOKEN_ID_SPAN = 29_000;
// Natural replies are at least this long unless max_tokens is smaller.
const MIN_NATURAL_TOKENS = 16;
// Mean extra length above the minimum, capped so a huge max_tokens does not mean huge replies.
const MAX_MEAN_EXTRA_TOKENS = 256;
// vLLM masks EOS and stop ids before min_tokens; redraws emulate the mask.
const MAX_REDRAWS = 16;

export const defaultTokenSampler: TokenSampler = function defaultTokenSampler(random01: number): number {
  return DEFAULT_MIN_TOKEN_ID + Math.floor(random01 * DEFAULT_TOKEN_ID_SPAN);
};

export class TokenSource {
  /** Output index at which EOS is emitted, or -1 when the request runs to its length cap. */
  readonly eosIndex: number;
  private readonly rng: Random01;

  constructor(
    private readonly request: SimRequest,
    engineSeed: number,
    outputLimit: number,
    private readonly sample: TokenSampler,
  ) {
    // A request seed reproduces across engines (as vLLM's per-request seed does); otherwise the id and
    // the engine seed decide. The prompt is mixed in so different prompts give different replies.
    const base =
      request.seed !== null ? request.seed >>> 0 : mixSeeds(engineSeed >>> 0, hashString(request.id));
    this.rng = createRng(mixSeeds(base, hashInts(request.promptTokenIds)));
    this.eosIndex = this.drawEosIndex(outputLimit);
  }

  /** The token at output position `index` (0-based); call once per position, in order. */
  next(index: number): number {
    const eos = this.request.eosTokenId;
    if (index === this.eosIndex && eos !== null) return eos;
    let token = this.sample(this.rng());
    for (let redraw = 0; redraw < MAX_REDRAWS && this.isMasked(token, index); redraw++) {
      token = this.sample(this.rng());
    }
    return this.isMasked(token, index) ? defaultTokenSampler(this.rng()) : token;
  }

  private isMasked(token: number, index: number): boolean {
    if (index >= this.request.minTokens) return false;
    return token === this.request.eosTokenId || this.request.stopTokenIds.includes(token);
  }

  private drawEosIndex(outputLimit: number): number {
    const request = this.request;
    if (request.ignoreEos || request.eosTokenId === null) return -1;
    const lower = Math.min(MIN_NATURAL_TOKENS, outputLimit);
    const meanExtra = Math.max(1, Math.min(MAX_MEAN_EXTRA_TOKENS, outputLimit / 2));
    // Exponential extra length: many short replies, a long tail up to the cap.
    const extra = Math.floor(-meanExtra * Math.log(1 - this.rng()));
    const natural = Math.max(lower + extra, request.minTokens, 1);
    // At the cap, vLLM reports "length" before checking EOS, so EOS is never emitted there.
    return natural < outputLimit ? natural - 1 : -1;
  }
}
