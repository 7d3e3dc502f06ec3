// The benchmark's shared vocabulary: workload requests and stages, the per-request record both the
// real-time load generator and the discrete-event simulation produce, and per-stage summaries.

/** Grouping tags of a request; reports and headers (tenant, priority) use them. */
export interface RequestTags {
  readonly group?: string;
  readonly tenant?: string;
  /** Lower runs earlier (vLLM semantics); sent as x-llmux-priority. */
  readonly priority?: number;
  readonly session?: string;
  /**
   * The request's own latency objectives, ms, sent as x-llmux-slo-ttft-ms / x-llmux-slo-tpot-ms; goodput
   * judges the request by them instead of the run's SLO.
   */
  readonly sloTtftMs?: number;
  readonly sloTpotMs?: number;
}

/** One request of a workload. Its prompt is built on demand so long workloads stay small in memory. */
export interface WorkloadRequest {
  /** Position in the whole workload, 0-based. */
  readonly index: number;
  /** Index into the workload's stages. */
  readonly stage: number;
  /** Arrival after its stage starts, in ms. */
  readonly offsetMs: number;
  readonly promptTokens: number;
  readonly maxTokens: number;
  readonly tags: RequestTags;
  /** The prompt's token ids: the same array content on every call for a given seed. */
  promptTokenIds(): readonly number[];
}

/** One rung of a load ladder: an arrival rate held for a duration. */
export interface Stage {
  readonly index: number;
  /** Offered arrival rate in requests/s (for traces: requests ÷ replayed duration). */
  readonly qps: number;
  readonly durationMs: number;
  /** Warm-up stages run but are left out of the results. */
  readonly isWarmup: boolean;
}

export interface Workload {
  readonly name: string;
  /** Resolved parameters, for the report and the results JSON. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly stages: readonly Stage[];
  /** Sorted by stage, then offsetMs. */
  readonly requests: readonly WorkloadRequest[];
}

/** What happened to one request, in ms on the run's clock (virtual in the DES, wall in real time). */
export interface RequestRecord {
  readonly index: number;
  readonly stage: number;
  readonly tags: RequestTags;
  /** When the workload wanted it sent. Latencies count from here, so client-side queueing shows. */
  readonly arrivalMs: number;
  /** When it was sent (later than arrivalMs under a concurrency cap). */
  readonly sentMs: number;
  readonly firstTokenMs: number | null;
  readonly endMs: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Prompt tokens served from the engine's prefix cache. */
  readonly cachedTokens: number;
  /** Gaps between streamed tokens (chunks in real time), summed and counted for TPOT/ITL means. */
  readonly itlSumMs: number;
  readonly itlCount: number;
  /** Endpoint that served it (URL or engine id). */
  readonly endpoint: string;
  /** Set when the request failed; failed requests count in no latency statistic. */
  readonly error: string | null;
}

/** Percentiles of one latency, in ms. */
export interface LatencyStats {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** Service-level objective for goodput: a request is good when both bounds hold. */
export interface Slo {
  readonly ttftMs: number;
  readonly tpotMs: number;
}

export interface StageSummary {
  readonly stage: number;
  readonly qps: number;
  readonly durationMs: number;
  readonly requests: number;
  readonly completed: number;
  readonly failed: number;
  readonly ttftMs: LatencyStats;
  readonly tpotMs: LatencyStats;
  readonly itlMs: LatencyStats;
  readonly e2eMs: LatencyStats;
  /** Completion tokens per second, from the stage's start to its last completion. */
  readonly outputTokensPerS: number;
  readonly inputTokensPerS: number;
  readonly requestsPerS: number;
  /** Requests meeting the SLO, per second, and their share of the stage's requests. */
  readonly goodputRequestsPerS: number;
  readonly goodFraction: number;
  /** Token totals over completed requests. */
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly outputTokens: number;
  /** Cached prompt tokens ÷ prompt tokens over completed requests. */
  readonly cacheHitRate: number;
  /** Requests served per endpoint. */
  readonly perEndpoint: Readonly<Record<string, number>>;
}
