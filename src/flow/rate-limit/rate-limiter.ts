// Per-key request and token limits over a store. A store that fails or answers late does not fail the
// request: it is admitted, the failure counted and reported (flow_rate_limit_store_failed), because
// limits protect fairness and a broken Redis must not take the gateway down with it.
import type { KeyLimits, RateDecision, RateLimitStore } from "./store.ts";

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RateLimiterOptions {
  readonly store: RateLimitStore;
  /** Longest wait for the store before admitting anyway. */
  readonly storeTimeoutMs: number;
  readonly timers?: Timers;
  /** The store failed or timed out (code flow_rate_limit_store_failed); the owner logs it. */
  readonly onStoreError?: (error: Error) => void;
}

export interface RateLimiterStats {
  readonly storeFailures: number;
  readonly rejectedRequests: number;
  readonly rejectedTokens: number;
}

export interface RateLimiter {
  check(key: string, limits: KeyLimits): Promise<RateDecision>;
  /** Debits a finished request's prompt + completion tokens (fire and forget). */
  recordUsage(key: string, tpm: number | null, tokens: number): void;
  stats(): RateLimiterStats;
  close(): void;
}

const ADMIT: RateDecision = { ok: true };

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const timers: Timers = options.timers ?? globalThis;
  let storeFailures = 0;
  let rejectedRequests = 0;
  let rejectedTokens = 0;

  function fail(error: unknown): void {
    storeFailures++;
    options.onStoreError?.(error instanceof Error ? error : new Error(String(error)));
  }

  function withTimeout<T>(work: Promise<T>, fallback: T): Promise<T> {
    return new Promise<T>((resolve) => {
      const timer = timers.setTimeout(function rateLimitStoreTimedOut() {
        fail(new Error(`rate-limit store did not answer within ${options.storeTimeoutMs} ms`));
        resolve(fallback);
      }, options.storeTimeoutMs);
      work.then(
        (value) => {
          timers.clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          timers.clearTimeout(timer);
          fail(error);
          resolve(fallback);
        },
      );
    });
  }

  return {
    check: async function checkRateLimits(key: string, limits: KeyLimits): Promise<RateDecision> {
      if (limits.rpm === null && limits.tpm === null) return ADMIT;
      const decision = await withTimeout(options.store.acquire(key, limits), ADMIT);
      if (!decision.ok) {
        if (decision.limit === "requests") rejectedRequests++;
        else rejectedTokens++;
      }
      return decision;
    },
    recordUsage: function recordUsage(key: string, tpm: number | null, tokens: number): void {
      if (tpm === null || !(tokens > 0)) return;
      void withTimeout(options.store.recordTokens(key, tpm, tokens), undefined);
    },
    stats: () => ({ storeFailures, rejectedRequests, rejectedTokens }),
    close() {
      options.store.close();
    },
  };
}
