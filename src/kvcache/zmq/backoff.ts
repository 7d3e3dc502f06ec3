// Exponential reconnect backoff for the connecting sockets (SUB, DEALER), libzmq-style without jitter.

/** Delay sequence initialMs, 2×, 4×, … capped at maxMs; reset() after a successful handshake. */
export interface Backoff {
  nextDelayMs(): number;
  reset(): void;
}

export function createBackoff(initialMs: number, maxMs: number): Backoff {
  let attempt = 0;
  return {
    nextDelayMs() {
      // 2^30 × initialMs already exceeds any sane maxMs; stop growing the exponent to avoid Infinity.
      const delayMs = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
      attempt += 1;
      return delayMs;
    },
    reset() {
      attempt = 0;
    },
  };
}
