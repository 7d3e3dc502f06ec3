// When to restart a crashed engine: exponential backoff with jitter, reset after a healthy spell,
// and a crash-loop limit (max_restarts crashes within restart_window_s) after which it stays down.

export interface RestartPolicyOptions extends BackoffSettings {
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** Uniform [0, 1). */
  readonly rng: () => number;
}

export type RestartDecision =
  | { readonly action: "restart"; readonly delayMs: number }
  | { readonly action: "give-up"; readonly reason: string };

export interface RestartPolicy {
  /** Records a crash at `nowMs`; `readySinceMs` is when the crashed process became ready, if it did. */
  onCrash(nowMs: number, readySinceMs: number | null): RestartDecision;
}

/** Backoff settings without a config field; the defaults suit vLLM (bun-platform.md §8). */
export interface BackoffSettings {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Ready this long before a crash means the crash starts a fresh backoff sequence. */
  readonly healthyResetMs: number;
  /** Fraction of the delay randomised either way, e.g. 0.2 → ±20 %. */
  readonly jitterRatio: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  healthyResetMs: 120_000,
  jitterRatio: 0.2,
};

export function createRestartPolicy(options: RestartPolicyOptions): RestartPolicy {
  let crashTimesMs: number[] = [];
  let consecutive = 0;
  return {
    onCrash(nowMs, readySinceMs) {
      crashTimesMs = [...crashTimesMs.filter((t) => nowMs - t < options.windowMs), nowMs];
      if (crashTimesMs.length > options.maxRestarts) {
        const windowS = Math.round(options.windowMs / 1000);
        const count = crashTimesMs.length === 1 ? "1 crash" : `${crashTimesMs.length} crashes`;
        return {
          action: "give-up",
          reason: `${count} within ${windowS} s (max_restarts ${options.maxRestarts})`,
        };
      }
      if (readySinceMs !== null && nowMs - readySinceMs >= options.healthyResetMs) consecutive = 0;
      consecutive += 1;
      const baseMs = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (consecutive - 1));
      const jitter = 1 + options.jitterRatio * (2 * options.rng() - 1);
      return { action: "restart", delayMs: Math.round(Math.min(options.maxDelayMs, baseMs * jitter)) };
    },
  };
}
