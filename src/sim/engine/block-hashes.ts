// Per-request prefix-cache block hashes (vllm-interfaces §2): the parent chain from NONE_HASH, the
// per-block extra keys (LoRA name on every block, cache_salt on the first), and their wire forms.
import type { BlockExtraKey, BlockHasher, WireBlockHash } from "../../kvcache/index.ts";

/** What a request contributes to its block hashes; kept on the request state. */
export interface RequestHashInputs {
  readonly promptTokenIds: readonly number[];
  readonly output: readonly number[];
  /** Digests of full blocks computed so far, block 0 first. */
  readonly hashes: Uint8Array[];
  /** digestKey() of each entry of `hashes`. */
  readonly hashKeys: string[];
  /** Extra keys of block 0 and of every later block (null when nothing applies). */
  readonly firstExtraKeys: readonly BlockExtraKey[] | null;
  readonly restExtraKeys: readonly BlockExtraKey[] | null;
}

/** The extra-key tuples of a request: lora_keys + cache_salt_keys, in vLLM's order (§2.3). */
export function requestExtraKeys(
  loraName: string | null,
  cacheSalt: string | null,
): { first: readonly BlockExtraKey[] | null; rest: readonly BlockExtraKey[] | null } {
  const rest: readonly BlockExtraKey[] | null = loraName === null ? null : Object.freeze([loraName]);
  // vLLM tests cache_salt for truthiness, so "" adds no key.
  if (cacheSalt === null || cacheSalt === "") return { first: rest, rest };
  const first = Object.freeze(loraName === null ? [cacheSalt] : [loraName, cacheSalt]);
  return { first, rest };
}

/** Extra keys hashed into block `index`. */
export function blockExtraKeys(inputs: RequestHashInputs, index: number): readonly BlockExtraKey[] | null {
  return index === 0 ? inputs.firstExtraKeys : inputs.restExtraKeys;
}

/** Tokens of block `index` (prompt tokens, then generated ones). */
export function blockTokens(inputs: RequestHashInputs, index: number, blockSize: number): number[] {
  const start = index * blockSize;
  const prompt = inputs.promptTokenIds;
  if (start + blockSize <= prompt.length) return prompt.slice(start, start + blockSize);
  const tokens = new Array<number>(blockSize);
  for (let i = 0; i < blockSize; i++) {
    const position = start + i;
    tokens[i] = position < prompt.length ? prompt[position]! : inputs.output[position - prompt.length]!;
  }
  return tokens;
}

/** Extends `inputs.hashes` to cover `numBlocks` full blocks; the caller guarantees the tokens exist. */
export function ensureBlockHashes(
  inputs: RequestHashInputs,
  numBlocks: number,
  hasher: BlockHasher,
  blockSize: number,
): void {
  const hashes = inputs.hashes;
  for (let index = hashes.length; index < numBlocks; index++) {
    // vLLM substitutes NONE_HASH for a missing parent (kv_cache_utils.hash_block_tokens).
    const parent = index === 0 ? hasher.noneHash : hashes[index - 1]!;
    const digest = hasher.hashBlock(
      parent,
      blockTokens(inputs, index, blockSize),
      blockExtraKeys(inputs, index),
    );
    hashes.push(digest);
    inputs.hashKeys.push(digestKey(digest));
  }
}

/**
 * Map key of a digest: one char per byte, so the cache is keyed by the full digest like vLLM's.
 * A flat 32-char string; hex built by concatenation was 3x slower as a Map key (rope flattening).
 */
export function digestKey(digest: Uint8Array): string {
  return String.fromCharCode.apply(null, digest as unknown as number[]);
}

/** The event form of a digest (§1.5): low 64 bits as an unsigned big-endian int, or the raw bytes. */
export function toWireHash(digest: Uint8Array, useIntBlockHashes: boolean): WireBlockHash {
  if (!useIntBlockHashes) return digest;
  // Byte arithmetic: reading `digest.buffer` for a DataView cost 12 % of a decode step (Bun profile).
  const end = digest.length;
  const high =
    ((digest[end - 8]! << 24) | (digest[end - 7]! << 16) | (digest[end - 6]! << 8) | digest[end - 5]!) >>> 0;
  const low =
    ((digest[end - 4]! << 24) | (digest[end - 3]! << 16) | (digest[end - 2]! << 8) | digest[end - 1]!) >>> 0;
  return (BigInt(high) << 32n) | BigInt(low);
}
