// Retry policy of the proxy: which upstream answers count as transport failures (retried on another
// endpoint before the first byte) and the backoff between attempts.
import type { ProxySettings } from "./types.ts";

/**
 * Statuses that mean "this endpoint could not take the request", not "the request failed": a
 * proxy or the engine's server in front of a dead or overloaded engine. vLLM's own 500 means the
 * request itself failed and is relayed, never retried.
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Delay in ms after `failedAttempts` (≥ 1) failures: initialBackoffMs doubling per failure up to
 * maxBackoffMs, scaled into [50 %, 100 %] by `random` (equal jitter), so retries of requests that
 * failed together do not arrive together.
 */
export function backoffDelayMs(
  failedAttempts: number,
  settings: Pick<ProxySettings, "initialBackoffMs" | "maxBackoffMs">,
  random: () => number,
): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 30);
  const ceilingMs = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** exponent);
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.max(0, ceilingMs * (0.5 + 0.5 * fraction));
}

/** Resolves after `delayMs`, or at once when `signal` aborts (callers check the signal after). */
export function sleepUnlessAborted(delayMs: number, signal: AbortSignal): Promise<void> {
  if (delayMs <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(function backoffElapsed() {
      signal.removeEventListener("abort", stopWaiting);
      resolve();
    }, delayMs);
    function stopWaiting(): void {
      clearTimeout(timer);
      resolve();
    }
    signal.addEventListener("abort", stopWaiting, { once: true });
  });
}
