// Builders of vLLM KV events for the prefix-index tests: chains hashed as a sha256_cbor engine with
// PYTHONHASHSEED=0 would hash them (the request side's keys), or with a foreign seed.
import {
  type BlockHasher,
  type BlockRemovedEvent,
  type BlockStoredEvent,
  createBlockHasher,
  hashBlockChain,
  type KvEvent,
  type KvEventBatch,
  toWireInt,
  type WireBlockHash,
} from "../../../src/kvcache/index.ts";

export const BLOCK = 4;

export const requestHasher: BlockHasher = await createBlockHasher("sha256_cbor", "0");
/** An engine configured with another PYTHONHASHSEED: its event hashes never equal request keys. */
export const foreignHasher: BlockHasher = await createBlockHasher("sha256_cbor", "42");

export interface Chain {
  readonly tokens: number[];
  readonly digests: Uint8Array[];
  readonly keys: bigint[];
}

/** The chain of full blocks of `tokens` under `hasher` (LoRA / salt as extra keys). */
export function chainOf(
  tokens: number[],
  hasher: BlockHasher = requestHasher,
  context: { loraName?: string; cacheSalt?: string } = {},
): Chain {
  const digests = hashBlockChain(hasher, tokens, BLOCK, context);
  return { tokens, digests, keys: digests.map(toWireInt) };
}

/** Tokens 1..n offset by `base`, so distinct bases give distinct prompts. */
export function tokensOf(blocks: number, base = 0): number[] {
  return Array.from({ length: blocks * BLOCK }, (_, i) => base + i + 1);
}

/** BlockStored of blocks [from, to) of `chain` as a GPU engine publishes it. */
export function stored(chain: Chain, from = 0, to = chain.keys.length, medium = "GPU"): BlockStoredEvent {
  return {
    type: "BlockStored",
    blockHashes: chain.keys.slice(from, to),
    parentBlockHash: from === 0 ? null : chain.keys[from - 1]!,
    tokenIds: medium === "GPU" ? chain.tokens.slice(from * BLOCK, to * BLOCK) : [],
    blockSize: medium === "GPU" ? BLOCK : 0,
    loraId: null,
    medium,
    loraName: null,
    extraKeys: medium === "GPU" ? Array.from({ length: to - from }, () => null) : null,
    groupIdx: medium === "GPU" ? 0 : null,
    kvCacheSpecKind: medium === "GPU" ? "full_attention" : null,
    kvCacheSpecSlidingWindow: null,
  };
}

export function removed(keys: WireBlockHash[], medium = "GPU"): BlockRemovedEvent {
  return { type: "BlockRemoved", blockHashes: keys, medium, groupIdx: medium === "GPU" ? 0 : null };
}

export function batchOf(...events: KvEvent[]): KvEventBatch {
  return { ts: 1, events, dataParallelRank: 0 };
}

/** A settable clock. */
export function manualClock(startMs = 1_000): { now: () => number; advance(ms: number): void } {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms) {
      nowMs += ms;
    },
  };
}
