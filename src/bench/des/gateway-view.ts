// What a live gateway knows about each engine, rebuilt in virtual time: metrics scraped every
// interval (as stale as the scraper leaves them) and its own in-flight accounting, whose prefill
// tokens are released at the first token (pool/in-flight.ts semantics).
import type { SimEngine } from "../../sim/index.ts";
import type { EndpointDescriptor, EndpointSnapshot, EngineMetrics } from "./snapshot-types.ts";

interface InFlightCounters {
  requests: number;
  prefillTokens: number;
  decodeTokens: number;
}

/** One request's load on one endpoint; release exactly once. */
export interface DesLease {
  firstToken(): void;
  release(): void;
}

export class GatewayView {
  private readonly metrics: (EngineMetrics | null)[];
  private readonly counters: InFlightCounters[];

  constructor(
    readonly descriptors: readonly EndpointDescriptor[],
    private readonly engines: readonly SimEngine[],
  ) {
    this.metrics = engines.map(() => null);
    this.counters = engines.map(() => ({ requests: 0, prefillTokens: 0, decodeTokens: 0 }));
  }

  /** One scrape of every engine's /metrics at `nowMs`. */
  scrape(nowMs: number): void {
    for (let i = 0; i < this.engines.length; i++) {
      const engine = this.engines[i]!;
      const stats = engine.stats();
      this.metrics[i] = {
        waitingRequests: stats.waiting,
        runningRequests: stats.running,
        kvUsageRatio: stats.kvUsage,
        blockSize: engine.options.blockSize,
        numGpuBlocks: stats.numGpuBlocks,
        runningLoras: stats.runningLoras,
        waitingLoras: stats.waitingLoras,
        maxLoras: null,
        scrapedAtMs: nowMs,
      };
    }
  }

  /** The candidates a decision sees now. */
  snapshots(): EndpointSnapshot[] {
    return this.descriptors.map((descriptor, i) => {
      const c = this.counters[i]!;
      return {
        descriptor,
        metrics: this.metrics[i] ?? null,
        inFlight: { requests: c.requests, prefillTokens: c.prefillTokens, decodeTokens: c.decodeTokens },
        isHealthy: true,
        circuit: "closed",
      };
    });
  }

  acquire(index: number, prefillTokens: number, decodeTokens: number): DesLease {
    const counters = this.counters[index]!;
    counters.requests += 1;
    counters.prefillTokens += prefillTokens;
    counters.decodeTokens += decodeTokens;
    let pendingPrefill = prefillTokens;
    let isReleased = false;
    return {
      firstToken() {
        counters.prefillTokens -= pendingPrefill;
        pendingPrefill = 0;
      },
      release() {
        if (isReleased) return;
        isReleased = true;
        counters.requests -= 1;
        counters.prefillTokens -= pendingPrefill;
        counters.decodeTokens -= decodeTokens;
        pendingPrefill = 0;
      },
    };
  }
}

/** Descriptors of `count` simulated engines serving `model`: ids engine-0 … engine-(count-1). */
export function engineDescriptors(count: number, model: string): EndpointDescriptor[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `engine-${i}`,
    baseUrl: `sim://engine-${i}`,
    models: [model],
    loraAdapters: [],
    role: "both",
    labels: {},
    kvEvents: null,
    source: "static",
  }));
}
