// Per-engine choice of index keys (llm-d's dual-key idea, vllm-interfaces.md §2.6): an engine that hashes
// like the request side (same algo and PYTHONHASHSEED) is indexed by its own event hashes; any other
// engine by keys recomputed from BlockStored.token_ids, with its own hashes kept for removals.
import { toWireInt, wireHashToBigInt } from "./block-hash.ts";
import type { BlockHasher } from "./block-hash-types.ts";
import type { BlockExtraKey, BlockStoredEvent } from "./events/types.ts";

/** "pending" until a BlockStored that starts a sequence shows which; entries are keyed as "engine-hash" meanwhile. */
export type EngineKeyMode = "pending" | "engine-hash" | "token-derived";

export interface DerivedBlock {
  readonly requestKey: bigint;
  readonly engineKey: bigint;
}

/** Keying state of one engine. Not shared between engines. */
export class EngineKeying {
  mode: EngineKeyMode = "pending";
  /** Token-derived mode: the engine's key of each recent block → the request-side digest, to continue chains. */
  readonly #digests = new Map<bigint, Uint8Array>();

  constructor(
    private readonly hasher: BlockHasher,
    private readonly maxDigests: number,
  ) {}

  /**
   * Decides the mode from a GPU BlockStored whose first block starts a sequence (parent null): its first
   * hash is compared with the request-side hash of its tokens. Returns the new mode when it was decided
   * by this event, else null.
   */
  classify(event: BlockStoredEvent): EngineKeyMode | null {
    if (this.mode !== "pending" || event.parentBlockHash !== null) return null;
    const first = event.blockHashes[0];
    if (first === undefined || event.blockSize <= 0 || event.tokenIds.length < event.blockSize) return null;
    const digest = this.hasher.hashBlock(
      null,
      event.tokenIds.slice(0, event.blockSize),
      extraKeysOf(event, 0),
    );
    this.mode = toWireInt(digest) === wireHashToBigInt(first) ? "engine-hash" : "token-derived";
    return this.mode;
  }

  /**
   * Token-derived keys of every block of `event`, continuing the chain from its parent's digest. Null
   * when the parent is not a block this engine stored recently (its keys cannot be computed).
   */
  derive(event: BlockStoredEvent): DerivedBlock[] | null {
    let parent: Uint8Array | null = null;
    if (event.parentBlockHash !== null) {
      parent = this.#digests.get(wireHashToBigInt(event.parentBlockHash)) ?? null;
      if (parent === null) return null;
    }
    const size = event.blockSize;
    const blocks: DerivedBlock[] = [];
    for (let block = 0; block < event.blockHashes.length; block++) {
      const tokens = event.tokenIds.slice(block * size, (block + 1) * size);
      if (size <= 0 || tokens.length !== size) return blocks;
      parent = this.hasher.hashBlock(parent, tokens, extraKeysOf(event, block));
      const engineKey = wireHashToBigInt(event.blockHashes[block]!);
      this.#remember(engineKey, parent);
      blocks.push({ requestKey: toWireInt(parent), engineKey });
    }
    return blocks;
  }

  /** Forgets learnt chains (the engine restarted or cleared its cache); the mode is decided again. */
  reset(): void {
    this.mode = "pending";
    this.#digests.clear();
  }

  // Insertion order is age order, so the first key is the oldest: a cheap bounded FIFO.
  #remember(engineKey: bigint, digest: Uint8Array): void {
    this.#digests.delete(engineKey);
    this.#digests.set(engineKey, digest);
    if (this.#digests.size > this.maxDigests) {
      const oldest = this.#digests.keys().next();
      if (oldest.done !== true) this.#digests.delete(oldest.value);
    }
  }
}

/**
 * The extra keys hashed into block `block`: the event's own per-block list when present (vLLM ≥ #33304),
 * else the LoRA name alone, which older engines put on every block (§2.3).
 */
function extraKeysOf(event: BlockStoredEvent, block: number): readonly BlockExtraKey[] | null {
  if (event.extraKeys !== null) return event.extraKeys[block] ?? null;
  return event.loraName === null ? null : [event.loraName];
}
