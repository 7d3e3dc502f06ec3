// The approximate prefix index: per endpoint, an LRU set of block keys the gateway has routed there.
// Bounded per endpoint (the engine's KV capacity when known) and in total; endpoints that leave are dropped.
import type { KeySequence } from "./block-keys.ts";

export interface ApproxPrefixIndexOptions {
  /** Blocks kept per endpoint when its engine's capacity is unknown. */
  readonly defaultCapacityBlocks: number;
  /** Blocks kept across all endpoints; each endpoint gets at most an equal share. */
  readonly maxTotalBlocks: number;
}

interface EndpointBlocks {
  /** Insertion order is recency order: the first element is the least recently used. */
  readonly keys: Set<number>;
  /** The engine's own capacity in index blocks. */
  engineCapacityBlocks: number;
}

/** Per-endpoint LRU sets of block keys. Not thread-shared; one per producer instance. */
export class ApproxPrefixIndex {
  private readonly endpoints = new Map<string, EndpointBlocks>();

  constructor(private readonly options: ApproxPrefixIndexOptions) {}

  /**
   * Leading keys of `keys` that `endpointId` holds, stopping at its own first missing key (llm-d stops
   * only when no endpoint holds a key, so a gap local to one endpoint went unnoticed there).
   */
  matchLength(endpointId: string, keys: KeySequence): number {
    const entry = this.endpoints.get(endpointId);
    if (entry === undefined || entry.keys.size === 0) return 0;
    const set = entry.keys;
    let matched = 0;
    while (matched < keys.length && set.has(keys.keyAt(matched))) matched++;
    return matched;
  }

  /** Records that `endpointId` now holds every block of `keys` (optimistic: assumed cached once routed). */
  insert(endpointId: string, keys: Float64Array): void {
    const entry = this.entryOf(endpointId);
    const set = entry.keys;
    // Tail first, so the prefix ends most recent: vLLM frees a request's blocks in reverse order so that
    // tail blocks are evicted before the shared prefix (vllm/v1/core/single_type_kv_cache_manager.py).
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as number;
      set.delete(key);
      set.add(key);
    }
    trim(set, this.capacityOf(entry));
  }

  /** Sets the engine's capacity in index blocks (from its `num_gpu_blocks` × `block_size`). */
  setEngineCapacity(endpointId: string, capacityBlocks: number): void {
    const entry = this.entryOf(endpointId);
    if (entry.engineCapacityBlocks === capacityBlocks) return;
    entry.engineCapacityBlocks = capacityBlocks;
    trim(entry.keys, this.capacityOf(entry));
  }

  /** Drops every endpoint not in `liveIds`. */
  retain(liveIds: ReadonlySet<string>): void {
    for (const id of this.endpoints.keys()) if (!liveIds.has(id)) this.endpoints.delete(id);
  }

  /** Blocks held across endpoints. */
  totalBlocks(): number {
    let total = 0;
    for (const entry of this.endpoints.values()) total += entry.keys.size;
    return total;
  }

  /** Blocks held for one endpoint. */
  blocksOf(endpointId: string): number {
    return this.endpoints.get(endpointId)?.keys.size ?? 0;
  }

  private entryOf(endpointId: string): EndpointBlocks {
    let entry = this.endpoints.get(endpointId);
    if (entry === undefined) {
      entry = { keys: new Set(), engineCapacityBlocks: this.options.defaultCapacityBlocks };
      this.endpoints.set(endpointId, entry);
      // A new endpoint shrinks everyone's share; trim now so the total bound always holds.
      for (const other of this.endpoints.values()) trim(other.keys, this.capacityOf(other));
    }
    return entry;
  }

  private capacityOf(entry: EndpointBlocks): number {
    const share = Math.floor(this.options.maxTotalBlocks / Math.max(1, this.endpoints.size));
    return Math.min(entry.engineCapacityBlocks, share);
  }
}

function trim(set: Set<number>, capacity: number): void {
  if (set.size <= capacity) return;
  const iterator = set.values();
  while (set.size > capacity) {
    const next = iterator.next();
    if (next.done === true) return;
    set.delete(next.value);
  }
}
