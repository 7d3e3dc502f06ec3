// Token-bucket arithmetic shared by the in-memory store and (mirrored in Lua) the Redis store: a bucket
// of `capacity` refills at capacity per minute, so a key may burst one minute's allowance at once.

export const MINUTE_MS = 60_000;

export interface BucketState {
  /** May go negative: tokens used beyond the allowance are owed (TPM counted after the request). */
  tokens: number;
  updatedMs: number;
}

/** The level at `nowMs`, refilled since the last update and capped at capacity. */
export function levelAt(state: BucketState | undefined, capacity: number, nowMs: number): number {
  if (state === undefined) return capacity;
  const refill = (Math.max(0, nowMs - state.updatedMs) * capacity) / MINUTE_MS;
  return Math.min(capacity, state.tokens + refill);
}

/** Milliseconds until a bucket at `level` holds `needed`. */
export function waitMs(level: number, needed: number, capacity: number): number {
  return level >= needed ? 0 : Math.ceil(((needed - level) * MINUTE_MS) / capacity);
}

/** Debt is capped at one minute's allowance, so a huge response cannot lock a key out for longer. */
export function debit(level: number, amount: number, capacity: number): number {
  return Math.max(-capacity, level - amount);
}
