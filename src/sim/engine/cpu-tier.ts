// The CPU offload tier (--kv-offloading-size, vLLM's OffloadingConnector with the native CPU backend):
// an LRU of block hashes. vLLM stores every newly full GPU block write-through and evicts by LRU
// when full (offloading/scheduler.py _get_reqs_to_store, CPU manager prepare_store).
import type { KvEventLog } from "./kv-event-log.ts";

export class CpuTier {
  // Map iteration order is insertion order, so the first entry is the least recently used.
  private readonly blocks = new Map<string, Uint8Array>();

  constructor(
    readonly capacityBlocks: number,
    private readonly events: KvEventLog,
  ) {}

  get size(): number {
    return this.blocks.size;
  }

  has(key: string): boolean {
    return this.blocks.has(key);
  }

  /** Marks a block as just used (a load hit), so LRU eviction spares it longest. */
  touch(key: string): void {
    const digest = this.blocks.get(key);
    if (digest === undefined) return;
    this.blocks.delete(key);
    this.blocks.set(key, digest);
  }

  /** Writes blocks not yet offloaded, evicting LRU blocks to make room; one event per batch. */
  store(keys: readonly string[], digests: readonly Uint8Array[]): void {
    const storedKeys: string[] = [];
    const stored: Uint8Array[] = [];
    const removed: Uint8Array[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (this.blocks.has(key)) continue;
      if (this.blocks.size >= this.capacityBlocks) this.evictOldest(storedKeys, stored, removed);
      this.blocks.set(key, digests[i]!);
      storedKeys.push(key);
      stored.push(digests[i]!);
    }
    this.events.cpuRemoved(removed);
    this.events.cpuStored(stored);
  }

  private evictOldest(storedKeys: string[], stored: Uint8Array[], removed: Uint8Array[]): void {
    for (const [key, digest] of this.blocks) {
      this.blocks.delete(key);
      // A block written and dropped within one batch is never announced at all.
      const inBatch = storedKeys.indexOf(key);
      if (inBatch >= 0) {
        storedKeys.splice(inBatch, 1);
        stored.splice(inBatch, 1);
      } else {
        removed.push(digest);
      }
      return;
    }
  }
}
