// Gateway-local accounting of load per endpoint: requests, uncached prompt tokens until the first
// token, and expected decode tokens. One process sees all of its own traffic, so this is exact.
import type { InFlightLoad, LoadLease } from "./types.ts";

interface Counters {
  requests: number;
  prefillTokens: number;
  decodeTokens: number;
}

/** Per-endpoint in-flight counters with leases that undo exactly what they added. */
export class InFlightTracker {
  private readonly counters = new Map<string, Counters>();

  /** Registers one request on `endpointId`; the lease releases it (idempotently). */
  acquire(endpointId: string, prefillTokens: number, decodeTokens: number): LoadLease {
    const counters = this.countersOf(endpointId);
    counters.requests += 1;
    counters.prefillTokens += prefillTokens;
    counters.decodeTokens += decodeTokens;
    let pendingPrefill = prefillTokens;
    let isReleased = false;
    return {
      firstToken: function releasePrefill() {
        counters.prefillTokens -= pendingPrefill;
        pendingPrefill = 0;
      },
      release: function releaseLoad() {
        if (isReleased) return;
        isReleased = true;
        counters.requests -= 1;
        counters.prefillTokens -= pendingPrefill;
        counters.decodeTokens -= decodeTokens;
        pendingPrefill = 0;
      },
    };
  }

  /** Current load of `endpointId` (zeros when unknown). */
  load(endpointId: string): InFlightLoad {
    const counters = this.counters.get(endpointId);
    return counters === undefined
      ? { requests: 0, prefillTokens: 0, decodeTokens: 0 }
      : {
          requests: counters.requests,
          prefillTokens: counters.prefillTokens,
          decodeTokens: counters.decodeTokens,
        };
  }

  /** Total requests in flight across endpoints. */
  totalRequests(): number {
    let total = 0;
    for (const counters of this.counters.values()) total += counters.requests;
    return total;
  }

  private countersOf(endpointId: string): Counters {
    let counters = this.counters.get(endpointId);
    if (counters === undefined) {
      counters = { requests: 0, prefillTokens: 0, decodeTokens: 0 };
      this.counters.set(endpointId, counters);
    }
    return counters;
  }
}
