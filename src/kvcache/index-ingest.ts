// Applies one engine's KV events to the entry table: BlockStored adds or confirms entries per tier,
// BlockRemoved clears a tier bit (freeing the entry when none is left), AllBlocksCleared drops the engine.
import { wireHashToBigInt } from "./block-hash.ts";
import type { BlockRemovedEvent, BlockStoredEvent, KvEvent, WireBlockHash } from "./events/types.ts";
import type { EngineKeying } from "./index-engine-keys.ts";
import { TIER_CPU, TIER_GPU, TIER_SPECULATIVE } from "./index-entry-layout.ts";
import type { EntryTable } from "./index-entry-table.ts";
import { splitKey } from "./index-key-halves.ts";

/** One engine's state in the index. */
export interface EngineState {
  readonly slot: number;
  readonly keying: EngineKeying;
  blockSize: number | null;
  /** group_idx values of full-attention GPU groups seen in BlockStored; removals of other groups are ignored. */
  readonly acceptedGroups: Set<number>;
}

export interface IngestCounters {
  blocksStored: number;
  blocksRemoved: number;
  /** Blocks that could not be keyed: a token-derived engine's unknown parent, or CPU blocks never seen on GPU. */
  unresolvedBlocks: number;
  /** BlockRemoved for blocks the index does not hold (evicted here first, or stored before we subscribed). */
  unknownRemovals: number;
}

// Prefix caching applies to full attention; sliding-window and mamba groups are not prefix reuse signals.
const FULL_ATTENTION_KINDS = new Set(["full_attention", "mla_attention", "sink_full_attention"]);

const engineHalves: [number, number] = [0, 0];
const requestHalves: [number, number] = [0, 0];

/** Applies `events` of `engine` in order; "resync" when the engine's key mode was just found to be token-derived. */
export function applyKvEvents(
  table: EntryTable,
  engine: EngineState,
  events: readonly KvEvent[],
  counters: IngestCounters,
  expiryOf: Map<number, number>,
): "applied" | "resync" {
  for (const event of events) {
    switch (event.type) {
      case "BlockStored":
        if (applyStored(table, engine, event, counters, expiryOf) === "resync") return "resync";
        break;
      case "BlockRemoved":
        applyRemoved(table, engine, event, counters);
        break;
      case "AllBlocksCleared":
        table.clearSlot(engine.slot);
        break;
    }
  }
  return "applied";
}

function applyStored(
  table: EntryTable,
  engine: EngineState,
  event: BlockStoredEvent,
  counters: IngestCounters,
  expiryOf: Map<number, number>,
): "applied" | "resync" {
  const tier = tierOf(event.medium);
  if (tier === TIER_GPU) {
    if (event.kvCacheSpecKind !== null && !FULL_ATTENTION_KINDS.has(event.kvCacheSpecKind)) return "applied";
    if (event.groupIdx !== null) engine.acceptedGroups.add(event.groupIdx);
    if (event.blockSize > 0) engine.blockSize = event.blockSize;
    if (engine.keying.classify(event) === "token-derived") {
      table.clearSlot(engine.slot);
      return "resync";
    }
  }
  if (tier === TIER_GPU && engine.keying.mode === "token-derived") {
    const blocks = engine.keying.derive(event);
    if (blocks === null) {
      counters.unresolvedBlocks += event.blockHashes.length;
      return "applied";
    }
    for (const block of blocks) {
      splitKey(block.requestKey, requestHalves);
      splitKey(block.engineKey, engineHalves);
      storeBlock(table, engine.slot, tier, expiryOf);
    }
    counters.unresolvedBlocks += event.blockHashes.length - blocks.length;
    counters.blocksStored += blocks.length;
    return "applied";
  }
  for (const hash of event.blockHashes) {
    splitWire(hash, engineHalves);
    if (tier === TIER_GPU) {
      requestHalves[0] = engineHalves[0];
      requestHalves[1] = engineHalves[1];
      storeBlock(table, engine.slot, tier, expiryOf);
      counters.blocksStored++;
    } else if (storeLowerTier(table, engine, tier, expiryOf)) counters.blocksStored++;
    else counters.unresolvedBlocks++;
  }
  return "applied";
}

// Stores (requestHalves, engineHalves) on `slot`: a new entry, or the tier bit on an existing one
// (confirming a speculative entry, which then also learns the engine's key).
function storeBlock(table: EntryTable, slot: number, tier: number, expiryOf: Map<number, number>): void {
  const [lo, hi] = requestHalves;
  const entry = table.findByKey(lo, hi, slot);
  if (entry === -1) {
    table.insert(lo, hi, engineHalves[0], engineHalves[1], slot, tier);
    return;
  }
  const tiers = table.tiersOf(entry);
  if ((tiers & TIER_SPECULATIVE) !== 0) {
    expiryOf.delete(entry);
    table.setEngineKey(entry, engineHalves[0], engineHalves[1]);
  }
  table.setTiers(entry, (tiers & ~TIER_SPECULATIVE) | tier);
  table.touch(entry);
}

// CPU-tier events carry no tokens (vllm-interfaces.md §1.1): they attach to the entry with the same
// engine key; an engine keyed by its own hashes can also start a CPU-only entry.
function storeLowerTier(
  table: EntryTable,
  engine: EngineState,
  tier: number,
  expiryOf: Map<number, number>,
): boolean {
  const entry = table.findByEngineKey(engineHalves[0], engineHalves[1], engine.slot);
  if (entry !== -1) {
    expiryOf.delete(entry);
    table.setTiers(entry, (table.tiersOf(entry) & ~TIER_SPECULATIVE) | tier);
    table.touch(entry);
    return true;
  }
  if (engine.keying.mode === "token-derived") return false;
  table.insert(engineHalves[0], engineHalves[1], engineHalves[0], engineHalves[1], engine.slot, tier);
  return true;
}

function applyRemoved(
  table: EntryTable,
  engine: EngineState,
  event: BlockRemovedEvent,
  counters: IngestCounters,
): void {
  const tier = tierOf(event.medium);
  if (
    tier === TIER_GPU &&
    event.groupIdx !== null &&
    engine.acceptedGroups.size > 0 &&
    !engine.acceptedGroups.has(event.groupIdx)
  )
    return;
  for (const hash of event.blockHashes) {
    splitWire(hash, engineHalves);
    const entry = table.findByEngineKey(engineHalves[0], engineHalves[1], engine.slot);
    if (entry === -1 || (table.tiersOf(entry) & tier) === 0) {
      counters.unknownRemovals++;
      continue;
    }
    const remaining = table.tiersOf(entry) & ~tier;
    if ((remaining & (TIER_GPU | TIER_CPU)) === 0) table.remove(entry);
    else table.setTiers(entry, remaining);
    counters.blocksRemoved++;
  }
}

/** "GPU" or null (block_pool) is the GPU tier; "CPU" and any other medium count as the slower tier. */
function tierOf(medium: string | null): number {
  return medium === null || medium === "GPU" ? TIER_GPU : TIER_CPU;
}

function splitWire(hash: WireBlockHash, out: [number, number]): void {
  splitKey(typeof hash === "bigint" ? hash : wireHashToBigInt(hash), out);
}
