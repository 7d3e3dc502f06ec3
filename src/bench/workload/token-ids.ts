// Deterministic token ids for synthetic prompts: a block of ids is a pure function of (seed, key), so
// two prompts that name the same key share exactly those tokens and nothing else by construction.
import { createSeededRng } from "../../scheduler/index.ts";

/** Ids come from a printable range present in every common vocabulary, far from special tokens. */
export const MIN_TOKEN_ID = 1000;
export const TOKEN_ID_SPAN = 29_000;
/** Ids at or above this never come out of `appendTokens`; workloads use them as unique markers. */
export const MARKER_TOKEN_BASE = MIN_TOKEN_ID + TOKEN_ID_SPAN;

/** Appends `length` ids drawn from the stream named by (seed, key) to `out`. */
export function appendTokens(out: number[], seed: number, key: string, length: number): void {
  const next = createSeededRng(mixSeed(seed, hashKey(key)));
  for (let i = 0; i < length; i++) out.push(MIN_TOKEN_ID + Math.floor(next() * TOKEN_ID_SPAN));
}

/** `length` ids of the stream named by (seed, key). */
export function tokensOf(seed: number, key: string, length: number): number[] {
  const out: number[] = [];
  appendTokens(out, seed, key, length);
  return out;
}

/** FNV-1a over a string's UTF-16 code units. */
export function hashKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Combines two 32-bit values into one well-spread seed (murmur3 finalizer). */
export function mixSeed(a: number, b: number): number {
  let h = (a ^ Math.imul((b >>> 0) + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded uniform stream in [0, 1) named by (seed, purpose). */
export function streamOf(seed: number, purpose: string): () => number {
  return createSeededRng(mixSeed(seed, hashKey(purpose)));
}
