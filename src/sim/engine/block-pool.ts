// The GPU KV block pool with vLLM v1's prefix-cache bookkeeping (vllm/v1/core/block_pool.py):
// ref counts, an LRU free queue that keeps freed blocks cached, eviction on reuse, and block 0 as
// the reserved null block.

/** Called when a cached block is evicted for reuse (a BlockRemoved event). */
export type EvictListener = (digest: Uint8Array) => void;

const NONE = -1;

export class BlockPool {
  /** Blocks usable by requests: every block but the null block 0. */
  readonly usableBlocks: number;
  private readonly refCounts: Int32Array;
  // Doubly linked free queue over block ids (vLLM's FreeKVCacheBlockQueue): O(1) pop, append, remove.
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private head = NONE;
  private tail = NONE;
  private freeCount = 0;
  private readonly digests: (Uint8Array | null)[];
  private readonly keys: (string | null)[];
  // Several physical blocks may hold the same hash (two requests computed it concurrently), as in vLLM;
  // a single holder is stored bare because duplicates are rare.
  private readonly cached = new Map<string, number | number[]>();

  constructor(
    numBlocks: number,
    private readonly onEvict: EvictListener,
  ) {
    if (!Number.isInteger(numBlocks) || numBlocks < 2)
      throw new RangeError(`numGpuBlocks must be >= 2, got ${numBlocks}`);
    this.usableBlocks = numBlocks - 1;
    this.refCounts = new Int32Array(numBlocks);
    this.prev = new Int32Array(numBlocks).fill(NONE);
    this.next = new Int32Array(numBlocks).fill(NONE);
    this.digests = new Array<Uint8Array | null>(numBlocks).fill(null);
    this.keys = new Array<string | null>(numBlocks).fill(null);
    for (let id = 1; id < numBlocks; id++) this.append(id);
  }

  /** Blocks in the free queue, cached or not. */
  get numFree(): number {
    return this.freeCount;
  }

  /** Blocks referenced by at least one request. */
  get numUsed(): number {
    return this.usableBlocks - this.freeCount;
  }

  refCount(id: number): number {
    return this.refCounts[id]!;
  }

  /** A cached block holding `key`, or undefined. */
  lookup(key: string): number | undefined {
    const holders = this.cached.get(key);
    return typeof holders === "object" ? holders[0] : holders;
  }

  /** Takes the least recently freed block, evicting its cached hash; the caller checked numFree. */
  allocate(): number {
    const id = this.head;
    if (id === NONE) throw new Error("block pool exhausted: the caller must check numFree first");
    this.unlink(id);
    this.evict(id);
    this.refCounts[id] = 1;
    return id;
  }

  /** Adds a reference to a cached block found by lookup, taking it off the free queue if idle. */
  touch(id: number): void {
    if (this.refCounts[id] === 0) this.unlink(id);
    this.refCounts[id]! += 1;
  }

  /** Drops one reference per block of a request (block 0 first); idle blocks join the free queue. */
  release(ids: readonly number[]): void {
    // vLLM frees a request's blocks tail first, so its last blocks are evicted before its prefix.
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i]!;
      this.refCounts[id]! -= 1;
      if (this.refCounts[id] === 0) this.append(id);
    }
  }

  /** Marks a full block as cached under `key`. */
  commit(id: number, key: string, digest: Uint8Array): void {
    this.keys[id] = key;
    this.digests[id] = digest;
    const holders = this.cached.get(key);
    if (holders === undefined) this.cached.set(key, id);
    else if (typeof holders === "number") this.cached.set(key, [holders, id]);
    else holders.push(id);
  }

  /** Forgets every cached hash; only allowed when no block is in use (vLLM reset_prefix_cache). */
  reset(): boolean {
    if (this.numUsed > 0) return false;
    this.cached.clear();
    this.keys.fill(null);
    this.digests.fill(null);
    return true;
  }

  private evict(id: number): void {
    const key = this.keys[id];
    if (key === null || key === undefined) return;
    const holders = this.cached.get(key);
    if (holders === id) {
      this.cached.delete(key);
    } else if (typeof holders === "object") {
      const at = holders.indexOf(id);
      if (at >= 0) holders.splice(at, 1);
      if (holders.length === 1) this.cached.set(key, holders[0]!);
    }
    const digest = this.digests[id]!;
    this.keys[id] = null;
    this.digests[id] = null;
    this.onEvict(digest);
  }

  private append(id: number): void {
    this.prev[id] = this.tail;
    this.next[id] = NONE;
    if (this.tail === NONE) this.head = id;
    else this.next[this.tail] = id;
    this.tail = id;
    this.freeCount++;
  }

  private unlink(id: number): void {
    const before = this.prev[id]!;
    const after = this.next[id]!;
    if (before === NONE) this.head = after;
    else this.next[before] = after;
    if (after === NONE) this.tail = before;
    else this.prev[after] = before;
    this.prev[id] = NONE;
    this.next[id] = NONE;
    this.freeCount--;
  }
}
