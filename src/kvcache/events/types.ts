// Typed form of vLLM's KV-cache events (vllm-interfaces.md §1.4). Field names are camelCase here;
// the wire uses vLLM's snake_case names (map layout) or positions (array layout).

/** A block hash as it travels: an unsigned 64-bit int (default) or raw digest bytes. */
export type WireBlockHash = bigint | Uint8Array;

/** One extra-key entry of a block (LoRA name, cache salt, or a multimodal (identifier, offset) pair). */
export type BlockExtraKey = string | number | Uint8Array | readonly [string, number];

export interface BlockStoredEvent {
  readonly type: "BlockStored";
  readonly blockHashes: readonly WireBlockHash[];
  readonly parentBlockHash: WireBlockHash | null;
  /** Tokens of every block in the event, concatenated (empty for CPU-offload events). */
  readonly tokenIds: readonly number[];
  readonly blockSize: number;
  readonly loraId: number | null;
  /** "GPU", "CPU" or null. */
  readonly medium: string | null;
  readonly loraName: string | null;
  /** One entry per block: the extra keys hashed into it, or null. Null when absent on the wire. */
  readonly extraKeys: readonly (readonly BlockExtraKey[] | null)[] | null;
  readonly groupIdx: number | null;
  readonly kvCacheSpecKind: string | null;
  readonly kvCacheSpecSlidingWindow: number | null;
}

export interface BlockRemovedEvent {
  readonly type: "BlockRemoved";
  readonly blockHashes: readonly WireBlockHash[];
  readonly medium: string | null;
  readonly groupIdx: number | null;
}

export interface AllBlocksClearedEvent {
  readonly type: "AllBlocksCleared";
}

export type KvEvent = BlockStoredEvent | BlockRemovedEvent | AllBlocksClearedEvent;

/** One published batch (one engine step). */
export interface KvEventBatch {
  /** Publisher's wall clock, seconds since the epoch. */
  readonly ts: number;
  readonly events: readonly KvEvent[];
  readonly dataParallelRank: number | null;
}

/** Wire layouts: "array" = positional (vLLM before PR #42892), "map" = tagged maps (v0.26+). */
export type KvEventsLayout = "array" | "map";
