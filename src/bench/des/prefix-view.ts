// A prefix index fed by engines' KV events: per engine, the set of block hashes its GPU prefix cache
// holds (with zero delay, the engine's true cache), plus the blocks requests already sent to it are
// computing, which later requests sharing them will find cached by the time they are scheduled.
import {
  hashBlockChain,
  type KvEvent,
  type RangeBlockHasher,
  wireHashToBigInt,
} from "../../kvcache/index.ts";

export class PrefixBlockSets {
  private readonly sets: Set<bigint>[];
  /** Per engine: block key → requests in flight computing it. */
  private readonly inFlight: Map<bigint, number>[];

  constructor(engines: number) {
    this.sets = Array.from({ length: engines }, () => new Set<bigint>());
    this.inFlight = Array.from({ length: engines }, () => new Map<bigint, number>());
  }

  addInFlight(index: number, keys: readonly bigint[]): void {
    const map = this.inFlight[index]!;
    for (const key of keys) map.set(key, (map.get(key) ?? 0) + 1);
  }

  removeInFlight(index: number, keys: readonly bigint[]): void {
    const map = this.inFlight[index]!;
    for (const key of keys) {
      const count = (map.get(key) ?? 0) - 1;
      if (count > 0) map.set(key, count);
      else map.delete(key);
    }
  }

  /** Applies one engine's event batch (GPU medium only; CPU-tier events describe another tier). */
  apply(index: number, events: readonly KvEvent[]): void {
    const set = this.sets[index]!;
    for (const event of events) {
      if (event.type === "AllBlocksCleared") set.clear();
      else if (event.medium !== null && event.medium !== "GPU") continue;
      else if (event.type === "BlockStored")
        for (const hash of event.blockHashes) set.add(wireHashToBigInt(hash));
      else for (const hash of event.blockHashes) set.delete(wireHashToBigInt(hash));
    }
  }

  /** Leading blocks of `keys` engine `index` holds or is computing. */
  matchedBlocks(index: number, keys: readonly bigint[]): number {
    const set = this.sets[index]!;
    const inFlight = this.inFlight[index]!;
    let matched = 0;
    while (matched < keys.length && (set.has(keys[matched]!) || inFlight.has(keys[matched]!))) matched++;
    return matched;
  }
}

/** The wire keys (uint64) of every full block of a prompt, as the engines hash them. */
export function promptBlockKeys(
  hasher: RangeBlockHasher,
  tokens: readonly number[],
  blockSize: number,
): bigint[] {
  return hashBlockChain(hasher, tokens, blockSize, {}).map(wireHashToBigInt);
}
