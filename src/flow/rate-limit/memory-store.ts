// In-process rate-limit store: buckets in a map. A full bucket equals an absent one, so full buckets
// are pruned when the map grows past its bound.
import type { KeyLimits, RateDecision, RateLimitStore } from "./store.ts";
import { type BucketState, debit, levelAt, waitMs } from "./token-bucket.ts";

export interface MemoryStoreOptions {
  readonly now: () => number;
  /** Buckets kept before full ones are pruned (keys come from config, so this is rarely reached). */
  readonly maxBuckets?: number;
}

export function createMemoryRateLimitStore(options: MemoryStoreOptions): RateLimitStore {
  const requests = new Map<string, BucketState>();
  const tokens = new Map<string, BucketState>();
  const maxBuckets = options.maxBuckets ?? 100_000;

  function prune(buckets: Map<string, BucketState>, capacityOf: (key: string) => number | null): void {
    if (buckets.size <= maxBuckets) return;
    const nowMs = options.now();
    for (const [key, state] of buckets) {
      const capacity = capacityOf(key);
      if (capacity === null || levelAt(state, capacity, nowMs) >= capacity) buckets.delete(key);
    }
  }

  const capacities = new Map<string, KeyLimits>();

  return {
    acquire: async function acquireMemory(key: string, limits: KeyLimits): Promise<RateDecision> {
      const nowMs = options.now();
      capacities.set(key, limits);
      if (limits.tpm !== null) {
        const level = levelAt(tokens.get(key), limits.tpm, nowMs);
        // The token bucket only has to be positive: the request's size is known only afterwards.
        if (level <= 0) return { ok: false, limit: "tokens", retryAfterMs: waitMs(level, 1, limits.tpm) };
      }
      if (limits.rpm !== null) {
        const level = levelAt(requests.get(key), limits.rpm, nowMs);
        if (level < 1) return { ok: false, limit: "requests", retryAfterMs: waitMs(level, 1, limits.rpm) };
        requests.set(key, { tokens: level - 1, updatedMs: nowMs });
        prune(requests, (k) => capacities.get(k)?.rpm ?? null);
      }
      return { ok: true };
    },
    recordTokens: async function recordMemory(key: string, tpm: number, count: number): Promise<void> {
      const nowMs = options.now();
      tokens.set(key, { tokens: debit(levelAt(tokens.get(key), tpm, nowMs), count, tpm), updatedMs: nowMs });
      prune(tokens, (k) => capacities.get(k)?.tpm ?? null);
    },
    close() {},
  };
}
