// Per-endpoint circuit breaker: opens after consecutive failures, rejects for openMs, then lets a
// bounded number of probes through (half-open); a probe's success closes it, a failure re-opens it.
import type { CircuitState } from "./types.ts";

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (≥ 1). */
  readonly failureThreshold?: number;
  /** How long an open circuit rejects requests before probing. */
  readonly openMs?: number;
  /** Requests let through while half-open, before one of them reports back. */
  readonly halfOpenMaxProbes?: number;
}

export interface CircuitBreaker {
  /** The state as of now: an open circuit whose openMs has passed reads as half-open. */
  state(): CircuitState;
  /**
   * Whether a request may be sent now. In half-open each `true` takes a probe slot, so call it only
   * when about to send; a slot whose outcome never arrives is freed after openMs.
   */
  canRequest(): boolean;
  recordSuccess(): void;
  recordFailure(): void;
}

/** Creates a closed breaker; `now` is the gateway clock in ms. */
export function createCircuitBreaker(options: CircuitBreakerOptions, now: () => number): CircuitBreaker {
  const failureThreshold = Math.max(1, options.failureThreshold ?? 5);
  const openMs = Math.max(0, options.openMs ?? 10_000);
  const halfOpenMaxProbes = Math.max(1, options.halfOpenMaxProbes ?? 1);
  let consecutiveFailures = 0;
  let openedAtMs: number | null = null;
  // Start times of probes sent while half-open that have not reported back.
  let probeStartsMs: number[] = [];

  function currentState(): CircuitState {
    if (openedAtMs === null) return "closed";
    return now() - openedAtMs >= openMs ? "half-open" : "open";
  }

  function open(): void {
    openedAtMs = now();
    probeStartsMs = [];
  }

  return {
    state: currentState,
    canRequest() {
      const state = currentState();
      if (state === "closed") return true;
      if (state === "open") return false;
      const nowMs = now();
      probeStartsMs = probeStartsMs.filter((startMs) => nowMs - startMs < openMs);
      if (probeStartsMs.length >= halfOpenMaxProbes) return false;
      probeStartsMs.push(nowMs);
      return true;
    },
    recordSuccess() {
      // A success that started before the circuit opened proves nothing about now: only time
      // (then a probe) moves an open circuit.
      if (currentState() === "open") return;
      consecutiveFailures = 0;
      openedAtMs = null;
      probeStartsMs = [];
    },
    recordFailure() {
      const state = currentState();
      if (state === "open") return;
      if (state === "half-open") {
        open();
        return;
      }
      consecutiveFailures++;
      if (consecutiveFailures >= failureThreshold) {
        consecutiveFailures = 0;
        open();
      }
    },
  };
}
