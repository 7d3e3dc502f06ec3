// The precise prefix index: which engine holds which KV block (GPU or CPU tier), learned from vLLM's
// KV events, plus speculative entries for picks whose events have not arrived yet. Bounded, compact,
// and queried synchronously by the scheduler (llm-d-reference.md §6).
import type { BlockHasher } from "./block-hash-types.ts";
import type { KvEventBatch } from "./events/types.ts";
import { EngineKeying, type EngineKeyMode } from "./index-engine-keys.ts";
import {
  HOT_KEY_HI,
  HOT_META,
  HOT_NEXT_BY_KEY,
  HOT_STRIDE,
  keyBucketOf,
  META_TIER_SHIFT,
  TIER_GPU,
  TIER_SPECULATIVE,
} from "./index-entry-layout.ts";
import { EntryTable } from "./index-entry-table.ts";
import { ExpiryHeap } from "./index-expiry-heap.ts";
import { applyKvEvents, type EngineState, type IngestCounters } from "./index-ingest.ts";
import { splitKey, toKeyHalves } from "./index-key-halves.ts";

/** llm-d's tier weights: a block held on CPU saves less than one on GPU (it must be loaded back). */
export const GPU_BLOCK_WEIGHT = 1;
export const CPU_BLOCK_WEIGHT = 0.8;
/** llm-d router's default speculative TTL. */
export const DEFAULT_SPECULATIVE_TTL_MS = 2000;
export const DEFAULT_MAX_ENTRIES = 8_000_000;
export const DEFAULT_MAX_ENGINES = 1024;
const DEFAULT_MAX_DERIVED_DIGESTS = 1 << 18;

export interface PrefixIndexOptions {
  /** The request side's hasher (algo + PYTHONHASHSEED): engines that hash the same are keyed by their own hashes. */
  readonly hasher: BlockHasher;
  /** Gateway clock in ms (speculative TTLs). */
  readonly now: () => number;
  /** Bound on block-engine entries; beyond it the largest engine's least recently stored entry goes. */
  readonly maxEntries?: number;
  readonly maxEngines?: number;
  /** Per token-derived engine: recent block digests kept to continue hash chains from later events. */
  readonly maxDerivedDigestsPerEngine?: number;
}

/** Match of one engine: leading blocks held (consecutive), and the same weighted by tier. */
export interface PrefixMatch {
  readonly matchedBlocks: number;
  readonly weightedBlocks: number;
}

const NO_MATCH: PrefixMatch = Object.freeze({ matchedBlocks: 0, weightedBlocks: 0 });

export type ApplyOutcome = "applied" | "resync";

export interface PrefixIndexStats extends IngestCounters {
  readonly entries: number;
  readonly capacity: number;
  readonly maxEntries: number;
  readonly evictions: number;
  readonly speculativeEntries: number;
  /** Memory of the entry table (typed arrays), bytes. */
  readonly tableBytes: number;
  readonly engines: readonly {
    readonly engineId: string;
    readonly entries: number;
    readonly mode: EngineKeyMode;
    readonly blockSize: number | null;
  }[];
}

/** Not thread-safe; one per gateway process, fed by the KV-event subscriptions and read by the scheduler. */
export class PrefixIndex {
  readonly #table: EntryTable;
  readonly #engines = new Map<string, EngineState>();
  readonly #freeSlots: number[] = [];
  readonly #expiries = new ExpiryHeap();
  readonly #expiryOf = new Map<number, number>();
  readonly #candidateOfSlot: Int32Array;
  readonly #counters: IngestCounters = {
    blocksStored: 0,
    blocksRemoved: 0,
    unresolvedBlocks: 0,
    unknownRemovals: 0,
  };
  readonly #halves: [number, number] = [0, 0];
  #nextSlot = 0;

  constructor(private readonly options: PrefixIndexOptions) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const maxEngines = options.maxEngines ?? DEFAULT_MAX_ENGINES;
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0)
      throw new RangeError(`maxEntries: ${maxEntries}`);
    if (!Number.isSafeInteger(maxEngines) || maxEngines <= 0 || maxEngines > 65_536)
      throw new RangeError(`maxEngines must be 1..65536, got ${maxEngines}`);
    this.#table = new EntryTable(maxEntries, maxEngines);
    this.#candidateOfSlot = new Int32Array(maxEngines).fill(-1);
  }

  /**
   * Applies one batch of `engineId`'s events in order. "resync" means the engine turned out to hash
   * differently from the request side: its entries were dropped and a replay from seq 0 rebuilds them.
   */
  applyBatch(engineId: string, batch: KvEventBatch): ApplyOutcome {
    this.#sweepExpired();
    return applyKvEvents(this.#table, this.#engineOf(engineId), batch.events, this.#counters, this.#expiryOf);
  }

  /** Drops every entry of `engineId` (engine restart, resync); the engine's key mode is decided again. */
  clearEngine(engineId: string): void {
    const engine = this.#engines.get(engineId);
    if (engine === undefined) return;
    this.#table.clearSlot(engine.slot);
    engine.keying.reset();
  }

  /** Forgets `engineId` altogether (it left the pool). */
  removeEngine(engineId: string): void {
    const engine = this.#engines.get(engineId);
    if (engine === undefined) return;
    this.#table.clearSlot(engine.slot);
    this.#engines.delete(engineId);
    this.#freeSlots.push(engine.slot);
  }

  /**
   * Records that `engineId` is about to hold `keys` (the request it was just picked for), so siblings of
   * a burst match it before its events arrive. Each new entry lasts `ttlMs` unless a BlockStored confirms
   * it; blocks already indexed are only marked recently used.
   */
  insertSpeculative(
    engineId: string,
    keys: readonly bigint[] | BigUint64Array,
    ttlMs = DEFAULT_SPECULATIVE_TTL_MS,
  ): void {
    this.#sweepExpired();
    const slot = this.#engineOf(engineId).slot;
    const expiresAtMs = this.options.now() + ttlMs;
    const table = this.#table;
    const halves = toKeyHalves(keys);
    for (let at = 0; at < halves.length; at += 2) {
      const lo = halves[at]!;
      const hi = halves[at + 1]!;
      let entry = table.findByKey(lo, hi, slot);
      if (entry !== -1 && table.tiersOf(entry) !== TIER_SPECULATIVE) {
        table.touch(entry);
        continue;
      }
      if (entry === -1) entry = table.insert(lo, hi, lo, hi, slot, TIER_SPECULATIVE);
      else table.touch(entry);
      this.#expiryOf.set(entry, expiresAtMs);
      this.#expiries.push(expiresAtMs, entry);
    }
  }

  /**
   * Per engine of `engineIds`: how many leading `keys` it holds, stopping at its own first missing block,
   * and that count weighted GPU 1.0 / CPU 0.8 (speculative entries count as GPU). Synchronous, no I/O;
   * unknown engines match 0.
   */
  matchLengths(
    keys: readonly bigint[] | BigUint64Array,
    engineIds: readonly string[],
  ): Map<string, PrefixMatch> {
    this.#sweepExpired();
    const count = engineIds.length;
    const matched = new Int32Array(count);
    const weighted = new Float64Array(count);
    const candidateOfSlot = this.#candidateOfSlot;
    let live = 0;
    for (let index = 0; index < count; index++) {
      const engine = this.#engines.get(engineIds[index]!);
      if (engine !== undefined && candidateOfSlot[engine.slot] === -1) {
        candidateOfSlot[engine.slot] = index;
        live++;
      }
    }
    if (live > 0) this.#walkKeys(toKeyHalves(keys), matched, weighted);
    const result = new Map<string, PrefixMatch>();
    for (const engineId of engineIds) {
      if (result.has(engineId)) continue;
      const engine = this.#engines.get(engineId);
      // A repeated id shares the candidate index of its first occurrence.
      const index = engine === undefined ? -1 : candidateOfSlot[engine.slot]!;
      const found =
        index === -1 ? NO_MATCH : { matchedBlocks: matched[index]!, weightedBlocks: weighted[index]! };
      result.set(engineId, found);
    }
    for (const engineId of engineIds) {
      const engine = this.#engines.get(engineId);
      if (engine !== undefined) candidateOfSlot[engine.slot] = -1;
    }
    return result;
  }

  /** Block size of `engineId`'s GPU events (null before the first). */
  engineBlockSize(engineId: string): number | null {
    return this.#engines.get(engineId)?.blockSize ?? null;
  }

  engineKeyMode(engineId: string): EngineKeyMode | null {
    return this.#engines.get(engineId)?.keying.mode ?? null;
  }

  /** True when `engineId` holds `key` (any tier, speculative included). */
  has(engineId: string, key: bigint): boolean {
    const engine = this.#engines.get(engineId);
    if (engine === undefined) return false;
    const [lo, hi] = splitKey(key, this.#halves);
    return this.#table.findByKey(lo, hi, engine.slot) !== -1;
  }

  stats(): PrefixIndexStats {
    const table = this.#table;
    return {
      ...this.#counters,
      entries: table.size,
      capacity: table.capacity,
      maxEntries: table.maxEntries,
      evictions: table.evictions,
      speculativeEntries: this.#expiryOf.size,
      tableBytes: table.tableBytes,
      engines: [...this.#engines.entries()].map(([engineId, engine]) => ({
        engineId,
        entries: table.slotCount[engine.slot]!,
        mode: engine.keying.mode,
        blockSize: engine.blockSize,
      })),
    };
  }

  // Key-major walk: one hash probe per request key, then that key's holders; an engine advances only if
  // it matched every earlier key, and the walk ends at the first key no candidate advanced on.
  #walkKeys(halves: Int32Array, matched: Int32Array, weighted: Float64Array): void {
    const { keyBuckets, hot, bucketShift } = this.#table;
    const candidateOfSlot = this.#candidateOfSlot;
    const blocks = halves.length >> 1;
    const gpuLike = (TIER_GPU | TIER_SPECULATIVE) << META_TIER_SHIFT;
    for (let block = 0; block < blocks; block++) {
      const lo = halves[2 * block]!;
      const hi = halves[2 * block + 1]!;
      let advanced = 0;
      let entry = keyBuckets[keyBucketOf(lo, hi, bucketShift)]!;
      while (entry !== -1) {
        const at = entry * HOT_STRIDE;
        entry = hot[at + HOT_NEXT_BY_KEY]!;
        if (hot[at] !== lo || hot[at + HOT_KEY_HI] !== hi) continue;
        const meta = hot[at + HOT_META]!;
        const candidate = candidateOfSlot[meta & 0xffff]!;
        if (candidate === -1 || matched[candidate] !== block) continue;
        matched[candidate] = block + 1;
        weighted[candidate]! += (meta & gpuLike) !== 0 ? GPU_BLOCK_WEIGHT : CPU_BLOCK_WEIGHT;
        advanced++;
      }
      if (advanced === 0) return;
    }
  }

  #engineOf(engineId: string): EngineState {
    let engine = this.#engines.get(engineId);
    if (engine !== undefined) return engine;
    const slot = this.#freeSlots.pop() ?? this.#nextSlot++;
    if (slot >= this.#candidateOfSlot.length)
      throw new RangeError(`more than ${this.#candidateOfSlot.length} engines`);
    const keying = new EngineKeying(
      this.options.hasher,
      this.options.maxDerivedDigestsPerEngine ?? DEFAULT_MAX_DERIVED_DIGESTS,
    );
    engine = { slot, keying, blockSize: null, acceptedGroups: new Set() };
    this.#engines.set(engineId, engine);
    return engine;
  }

  // Speculative entries past their deadline go; one confirmed or freed since is skipped (its recorded
  // expiry no longer matches, or it is no longer speculative).
  #sweepExpired(): void {
    const nowMs = this.options.now();
    const table = this.#table;
    while (this.#expiries.peekTime() <= nowMs) {
      const entry = this.#expiries.pop();
      const expiresAtMs = this.#expiryOf.get(entry);
      if (expiresAtMs === undefined || expiresAtMs > nowMs) continue;
      this.#expiryOf.delete(entry);
      if (table.tiersOf(entry) === TIER_SPECULATIVE) table.remove(entry);
    }
  }
}
