// Deterministic token ids for synthetic prompts: a block of ids is a pure function of (seed, key), so
// two prompts that name the same key share exactly those tokens and nothing else by construction.
import { createSeededRng } from "../../scheduler/index.ts";
import { hashString, mixSeeds } from "../../sim/index.ts";

/** Ids come from a printable range present in every common vocabulary, far from special tokens. */
export const MIN_TOKEN_ID = 1000;
export const TOKEN_ID_SPAN = 29_000;
/** Ids at or above this never come out of `appendTokens`; workloads use them as unique markers. */
export const MARKER_TOKEN_BASE = MIN_TOKEN_ID + TOKEN_ID_SPAN;

/** Appends `length` ids drawn from the stream named by (seed, key) to `out`. */
export function appendTokens(out: number[], seed: number, key: string, length: number): void {
  const next = createSeededRng(mixSeeds(seed, hashString(key)));
  for (let i = 0; i < length; i++) out.push(MIN_TOKEN_ID + Math.floor(next() * TOKEN_ID_SPAN));
}

/** `length` ids of the stream named by (seed, key). */
export function tokensOf(seed: number, key: string, length: number): number[] {
  const out: number[] = [];
  appendTokens(out, seed, key, length);
  return out;
}

/** A seeded uniform stream in [0, 1) named by (seed, purpose). */
export function streamOf(seed: number, purpose: string): () => number {
  return createSeededRng(mixSeeds(seed, hashString(purpose)));
}
