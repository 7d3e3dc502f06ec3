// Contracts of the endpoint pool: what the gateway and scheduler know about each engine.

export type EndpointRole = "prefill" | "decode" | "both";

/** Static facts about one engine endpoint, from the supervisor, config or an endpoints file. */
export interface EndpointDescriptor {
  /** Instance id: shown in `x-llmux-endpoint`, logs and metric labels. */
  readonly id: string;
  /** e.g. http://127.0.0.1:8100 (no trailing slash). */
  readonly baseUrl: string;
  /** Served model names; the first is the engine's primary name. */
  readonly models: readonly string[];
  /** LoRA adapter names the engine serves (each resolves to the engine's base model). */
  readonly loraAdapters: readonly string[];
  readonly role: EndpointRole;
  readonly labels: Readonly<Record<string, string>>;
  /** Where its KV events are published, when known. */
  readonly kvEvents: {
    readonly endpoint: string;
    readonly replayEndpoint: string | null;
    readonly topic: string;
  } | null;
  readonly source: "supervisor" | "static" | "file";
}

/** The engine's own state, scraped from its /metrics (null until the first scrape). */
export interface EngineMetrics {
  readonly waitingRequests: number;
  readonly runningRequests: number;
  /** 0..1 */
  readonly kvUsageRatio: number;
  readonly blockSize: number | null;
  readonly numGpuBlocks: number | null;
  readonly runningLoras: readonly string[];
  readonly waitingLoras: readonly string[];
  readonly maxLoras: number | null;
  /**
   * The engine's cumulative prefix-cache counters (tokens looked up, tokens found), summed over its
   * data-parallel ranks; absent when the page has neither name. They reset when the engine restarts.
   */
  readonly prefixCacheQueriedTokens?: number;
  readonly prefixCacheHitTokens?: number;
  /** Gateway clock (ms) when this was scraped. */
  readonly scrapedAtMs: number;
}

/** Gateway-local accounting of what this gateway has sent to the endpoint and not yet finished. */
export interface InFlightLoad {
  readonly requests: number;
  /** Uncached prompt tokens of requests that have not produced their first token. */
  readonly prefillTokens: number;
  /** Expected output tokens still to be generated. */
  readonly decodeTokens: number;
}

export type CircuitState = "closed" | "open" | "half-open";

/** Immutable view of one endpoint at decision time. */
export interface EndpointSnapshot {
  readonly descriptor: EndpointDescriptor;
  readonly metrics: EngineMetrics | null;
  readonly inFlight: InFlightLoad;
  readonly isHealthy: boolean;
  readonly circuit: CircuitState;
}

/** Per-request load registered on an endpoint; release it exactly once. */
export interface LoadLease {
  /** The first token arrived: the prefill tokens no longer count. */
  firstToken(): void;
  release(): void;
}
