// Collects the KV-cache events of the engine between two takeEvents() calls, in vLLM's shapes
// (vllm-interfaces §1.1, §1.4): GPU BlockStored/BlockRemoved, CPU-offload events, AllBlocksCleared.
import type { BlockExtraKey, KvEvent } from "../../kvcache/index.ts";
import { toWireHash } from "./block-hashes.ts";

/** One GPU BlockStored: consecutive newly full blocks of one request. */
export interface GpuBlocksStored {
  readonly digests: readonly Uint8Array[];
  readonly parentDigest: Uint8Array | null;
  readonly tokenIds: readonly number[];
  readonly loraName: string | null;
  readonly extraKeys: readonly (readonly BlockExtraKey[] | null)[];
}

export class KvEventLog {
  private events: KvEvent[] = [];

  constructor(
    readonly isEnabled: boolean,
    private readonly useIntBlockHashes: boolean,
    private readonly blockSize: number,
  ) {}

  /** GPU blocks committed to the prefix cache (block_pool.cache_full_blocks). */
  gpuStored(stored: GpuBlocksStored): void {
    if (!this.isEnabled) return;
    const useInt = this.useIntBlockHashes;
    this.events.push({
      type: "BlockStored",
      blockHashes: stored.digests.map((digest) => toWireHash(digest, useInt)),
      parentBlockHash: stored.parentDigest === null ? null : toWireHash(stored.parentDigest, useInt),
      tokenIds: stored.tokenIds,
      blockSize: this.blockSize,
      // lora_id is deprecated upstream; the engine knows adapters by name only.
      loraId: null,
      medium: "GPU",
      loraName: stored.loraName,
      extraKeys: stored.extraKeys,
      groupIdx: 0,
      kvCacheSpecKind: "full_attention",
      kvCacheSpecSlidingWindow: null,
    });
  }

  /** A cached GPU block evicted for reuse: vLLM sends one block per event. */
  gpuRemoved(digest: Uint8Array): void {
    if (!this.isEnabled) return;
    const blockHashes = [toWireHash(digest, this.useIntBlockHashes)];
    this.events.push({ type: "BlockRemoved", blockHashes, medium: "GPU", groupIdx: 0 });
  }

  /** Blocks written to the CPU tier: the offloading connector sends raw digest bytes, no tokens (§1.1). */
  cpuStored(digests: readonly Uint8Array[]): void {
    if (!this.isEnabled || digests.length === 0) return;
    this.events.push({
      type: "BlockStored",
      blockHashes: digests,
      parentBlockHash: null,
      tokenIds: [],
      blockSize: 0,
      loraId: null,
      medium: "CPU",
      loraName: null,
      extraKeys: null,
      groupIdx: null,
      kvCacheSpecKind: null,
      kvCacheSpecSlidingWindow: null,
    });
  }

  /** Blocks dropped by the CPU tier's LRU. */
  cpuRemoved(digests: readonly Uint8Array[]): void {
    if (!this.isEnabled || digests.length === 0) return;
    this.events.push({ type: "BlockRemoved", blockHashes: digests, medium: "CPU", groupIdx: null });
  }

  /** Prefix cache reset (POST /reset_prefix_cache). */
  cleared(): void {
    if (!this.isEnabled) return;
    this.events.push({ type: "AllBlocksCleared" });
  }

  /** Events since the last call, oldest first. */
  take(): KvEvent[] {
    const taken = this.events;
    this.events = [];
    return taken;
  }
}
