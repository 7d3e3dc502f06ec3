// KV cache manager of the simulated engine (vllm/v1/core/kv_cache_manager.py): prefix lookups over
// the GPU pool and the CPU tier, slot allocation, committing full blocks, and freeing.
import type { BlockHasher } from "../../kvcache/index.ts";
import { blockExtraKeys, blockTokens, ensureBlockHashes } from "./block-hashes.ts";
import { BlockPool } from "./block-pool.ts";
import { CpuTier } from "./cpu-tier.ts";
import { KvEventLog } from "./kv-event-log.ts";
import { numTokens, type RequestState } from "./request-state.ts";
import type { SimEngineOptions } from "./types.ts";

/** Cached prefix of a request: GPU block ids, then a run of consecutive CPU-tier blocks. */
export interface PrefixHit {
  readonly gpuBlocks: readonly number[];
  readonly cpuBlocks: number;
}

const NO_HIT: PrefixHit = { gpuBlocks: [], cpuBlocks: 0 };

export class KvCacheManager {
  readonly blockSize: number;
  readonly isCaching: boolean;
  readonly events: KvEventLog;
  readonly pool: BlockPool;
  readonly cpu: CpuTier | null;
  private readonly hasher: BlockHasher;

  constructor(options: SimEngineOptions) {
    this.blockSize = options.blockSize;
    this.isCaching = options.enablePrefixCaching;
    this.hasher = options.hasher;
    // vLLM publishes GPU events only with prefix caching on (vllm-interfaces §1.1).
    this.events = new KvEventLog(
      options.emitKvEvents && this.isCaching,
      options.useIntBlockHashes,
      this.blockSize,
    );
    const events = this.events;
    this.pool = new BlockPool(options.numGpuBlocks, function onBlockEvicted(digest: Uint8Array): void {
      events.gpuRemoved(digest);
    });
    // Offloading looks blocks up by hash, so the CPU tier needs prefix caching too.
    this.cpu =
      options.numCpuBlocks > 0 && this.isCaching ? new CpuTier(options.numCpuBlocks, this.events) : null;
  }

  /** Fraction of usable GPU blocks referenced by requests (vLLM BlockPool.get_usage). */
  get usage(): number {
    return this.pool.usableBlocks === 0 ? 0 : this.pool.numUsed / this.pool.usableBlocks;
  }

  /**
   * Longest cached prefix in whole blocks, never covering the last token: vLLM caps a hit at
   * num_tokens - 1 so the forward pass has at least one token to compute (get_computed_blocks).
   */
  findCachedPrefix(state: RequestState): PrefixHit {
    if (!this.isCaching) return NO_HIT;
    const maxBlocks = Math.floor((numTokens(state) - 1) / this.blockSize);
    const gpuBlocks: number[] = [];
    let index = 0;
    for (; index < maxBlocks; index++) {
      const id = this.pool.lookup(this.keyOf(state, index));
      if (id === undefined) break;
      gpuBlocks.push(id);
    }
    let cpuBlocks = 0;
    const cpu = this.cpu;
    if (cpu !== null) {
      for (; index < maxBlocks; index++) {
        const key = this.keyOf(state, index);
        if (!cpu.has(key)) break;
        cpu.touch(key);
        cpuBlocks++;
      }
    }
    return gpuBlocks.length === 0 && cpuBlocks === 0 ? NO_HIT : { gpuBlocks, cpuBlocks };
  }

  /**
   * Gives the request blocks for `totalTokens` tokens, starting with the cached `hit` blocks;
   * false (and no change) when the free queue is too short (vLLM allocate_slots).
   */
  allocateSlots(
    state: RequestState,
    totalTokens: number,
    hit: readonly number[] = NO_HIT.gpuBlocks,
  ): boolean {
    const pool = this.pool;
    const needed = Math.ceil(totalTokens / this.blockSize) - state.blockIds.length - hit.length;
    // Touching an idle cached block takes it off the free queue, so it costs free capacity too.
    let idleHits = 0;
    for (const id of hit) if (pool.refCount(id) === 0) idleHits++;
    if (Math.max(0, needed) + idleHits > pool.numFree) return false;
    for (const id of hit) {
      pool.touch(id);
      state.blockIds.push(id);
    }
    state.numCommitted += hit.length;
    for (let i = 0; i < needed; i++) state.blockIds.push(pool.allocate());
    return true;
  }

  /** Commits every block fully covered by the first `upToTokens` tokens; one BlockStored per call. */
  commitFullBlocks(state: RequestState, upToTokens: number): void {
    if (!this.isCaching) return;
    const from = state.numCommitted;
    const to = Math.min(Math.floor(upToTokens / this.blockSize), state.blockIds.length);
    if (to <= from) return;
    ensureBlockHashes(state, to, this.hasher, this.blockSize);
    const digests = state.hashes.slice(from, to);
    const keys = state.hashKeys.slice(from, to);
    for (let i = 0; i < keys.length; i++) this.pool.commit(state.blockIds[from + i]!, keys[i]!, digests[i]!);
    state.numCommitted = to;
    if (this.events.isEnabled) {
      const tokenIds: number[] = [];
      const extraKeys = [];
      for (let index = from; index < to; index++) {
        for (const token of blockTokens(state, index, this.blockSize)) tokenIds.push(token);
        extraKeys.push(blockExtraKeys(state, index));
      }
      const parentDigest = from === 0 ? null : state.hashes[from - 1]!;
      this.events.gpuStored({ digests, parentDigest, tokenIds, loraName: state.request.loraName, extraKeys });
    }
    this.cpu?.store(keys, digests);
  }

  /** Releases every block of the request (a shared block stays with its other holders). */
  free(state: RequestState): void {
    this.pool.release(state.blockIds);
    state.blockIds = [];
    state.numCommitted = 0;
  }

  /** Drops the GPU prefix cache when no block is in use (AllBlocksCleared). */
  reset(): boolean {
    if (!this.pool.reset()) return false;
    this.events.cleared();
    return true;
  }

  private keyOf(state: RequestState, index: number): string {
    ensureBlockHashes(state, index + 1, this.hasher, this.blockSize);
    return state.hashKeys[index]!;
  }
}
