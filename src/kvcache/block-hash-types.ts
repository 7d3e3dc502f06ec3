// Contract of vLLM prefix-cache block hashing (vllm-interfaces.md §2).
import type { BlockExtraKey } from "./events/types.ts";

/** The CBOR-based algorithms llmux reproduces exactly. */
export type PrefixHashAlgo = "sha256_cbor" | "xxhash_cbor";

export interface BlockHasher {
  readonly algo: PrefixHashAlgo;
  /** Root parent: H(PYTHONHASHSEED string), or random bytes when the seed is unset. */
  readonly noneHash: Uint8Array;
  /** H(cbor([parent digest, tuple(tokens), extraKeys or None])) -> full digest (32 or 16 bytes). */
  hashBlock(
    parent: Uint8Array | null,
    tokens: ArrayLike<number>,
    extraKeys: readonly BlockExtraKey[] | null,
  ): Uint8Array;
}

/** Per-request inputs that change block hashes (vllm-interfaces.md §2.3). */
export interface BlockHashContext {
  /** LoRA adapter name: an extra key on every block. */
  readonly loraName?: string | null;
  /** cache_salt: an extra key on the first block only. */
  readonly cacheSalt?: string | null;
}
