// Contract of a rate-limit store: per-key request and token buckets, checked before a request and
// debited with its real token count after it. One implementation per process, one shared via Redis.

export interface KeyLimits {
  readonly rpm: number | null;
  readonly tpm: number | null;
}

export type RateDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly limit: "requests" | "tokens"; readonly retryAfterMs: number };

export interface RateLimitStore {
  /**
   * Admits one request of `key` when its token bucket is positive and its request bucket holds one
   * request, taking that request; takes nothing when refusing.
   */
  acquire(key: string, limits: KeyLimits): Promise<RateDecision>;
  /** Debits `tokens` (prompt + completion) from the key's token bucket. */
  recordTokens(key: string, tpm: number, tokens: number): Promise<void>;
  close(): void;
}
