// Live request statistics for /admin/stats and the dashboard: a ring of one-second buckets (the last
// 15 minutes by default), each with counts by status class, errors, tokens and three small fixed-bin
// latency histograms (TTFT, ITL, end-to-end), so memory stays constant however busy the gateway is.

/** Status classes counted per bucket; "aborted" is a client that left (logged as 499). */
export const STATUS_CLASSES = ["2xx", "4xx", "5xx", "aborted", "other"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
export const LATENCY_KINDS = ["ttft", "itl", "e2e"] as const;
export type LatencyKind = (typeof LATENCY_KINDS)[number];

/** Latency bins are geometric: bin i holds (MIN·F^(i-1), MIN·F^i]; 60 bins span 0.25 ms to ~100 s. */
const BIN_MIN_MS = 0.25;
const BIN_FACTOR = 1.25;
const BIN_COUNT = 60;
const LOG_FACTOR = Math.log(BIN_FACTOR);
/** Per-bucket counters, in this order in the counter array. */
const FIELD = { errors: STATUS_CLASSES.length, prompt: 6, completion: 7, cached: 8 } as const;
const FIELD_COUNT = 9;
const DEFAULT_CAPACITY_S = 900;

/** What the gateway knows once a request is over. */
export interface FinishedRequest {
  /** Gateway clock, ms. */
  readonly endedAtMs: number;
  readonly status: number;
  readonly isClientAbort: boolean;
  /** The request failed (a catalogued error), including mid-stream failures that kept a 200. */
  readonly isError: boolean;
  readonly endpointId: string | null;
  readonly e2eMs: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** Columnar series: index i covers [startMs + i·stepS s, +stepS s). Latency entries are null without samples. */
export interface StatsSeries {
  readonly startMs: number;
  readonly stepS: number;
  readonly points: number;
  readonly requests: Readonly<Record<StatusClass, readonly number[]>>;
  readonly errors: readonly number[];
  readonly tokens: { readonly prompt: number[]; readonly completion: number[]; readonly cached: number[] };
  readonly latencyMs: Readonly<
    Record<LatencyKind, { p50: (number | null)[]; p90: (number | null)[]; p99: (number | null)[] }>
  >;
}

/** Totals over a recent window (the dashboard's headline numbers). */
export interface StatsSummary {
  readonly windowS: number;
  readonly requests: number;
  readonly requestsPerS: number;
  readonly errors: number;
  readonly byStatus: Readonly<Record<StatusClass, number>>;
  readonly tokens: { readonly prompt: number; readonly completion: number; readonly cached: number };
  readonly latencyMs: Readonly<Record<LatencyKind, Percentiles | null>>;
}

/** Per-endpoint totals since start (bounded by the number of endpoints). */
export interface EndpointTotals {
  requests: number;
  errors: number;
  promptTokens: number;
  cachedTokens: number;
}

/**
 * The recorder. All times are the gateway clock in ms; a sample older than its ring slot's current
 * second (more than `capacityS` late) is dropped. Recording is O(1) with no allocation.
 */
export class GatewayStats {
  readonly capacityS: number;
  private readonly seconds: Float64Array;
  private readonly counters: Float64Array;
  private readonly bins: Uint32Array;
  private readonly maxMs: Float64Array;
  private readonly perEndpoint = new Map<string, EndpointTotals>();

  constructor(options: { readonly capacityS?: number } = {}) {
    this.capacityS = options.capacityS ?? DEFAULT_CAPACITY_S;
    this.seconds = new Float64Array(this.capacityS).fill(Number.NaN);
    this.counters = new Float64Array(this.capacityS * FIELD_COUNT);
    this.bins = new Uint32Array(this.capacityS * LATENCY_KINDS.length * BIN_COUNT);
    this.maxMs = new Float64Array(this.capacityS * LATENCY_KINDS.length);
  }

  recordLatency(kind: LatencyKind, atMs: number, latencyMs: number): void {
    const slot = this.slotFor(atMs);
    if (slot < 0) return;
    const row = slot * LATENCY_KINDS.length + LATENCY_KINDS.indexOf(kind);
    const bin = binOf(latencyMs);
    this.bins[row * BIN_COUNT + bin] = (this.bins[row * BIN_COUNT + bin] ?? 0) + 1;
    if (latencyMs > (this.maxMs[row] ?? 0)) this.maxMs[row] = latencyMs;
  }

  recordFinish(request: FinishedRequest): void {
    this.recordLatency("e2e", request.endedAtMs, request.e2eMs);
    const slot = this.slotFor(request.endedAtMs);
    if (slot >= 0) {
      const base = slot * FIELD_COUNT;
      const counters = this.counters;
      const statusField = STATUS_CLASSES.indexOf(statusClass(request.status, request.isClientAbort));
      counters[base + statusField] = (counters[base + statusField] ?? 0) + 1;
      if (request.isError) counters[base + FIELD.errors] = (counters[base + FIELD.errors] ?? 0) + 1;
      counters[base + FIELD.prompt] = (counters[base + FIELD.prompt] ?? 0) + request.promptTokens;
      counters[base + FIELD.completion] = (counters[base + FIELD.completion] ?? 0) + request.completionTokens;
      counters[base + FIELD.cached] = (counters[base + FIELD.cached] ?? 0) + request.cachedTokens;
    }
    if (request.endpointId === null) return;
    let totals = this.perEndpoint.get(request.endpointId);
    if (totals === undefined) {
      totals = { requests: 0, errors: 0, promptTokens: 0, cachedTokens: 0 };
      this.perEndpoint.set(request.endpointId, totals);
    }
    totals.requests++;
    if (request.isError) totals.errors++;
    totals.promptTokens += request.promptTokens;
    totals.cachedTokens += request.cachedTokens;
  }

  /** Totals per endpoint id since start; the caller must not keep the objects. */
  endpointTotals(): ReadonlyMap<string, Readonly<EndpointTotals>> {
    return this.perEndpoint;
  }

  /**
   * The last `windowS` complete seconds before `nowMs`, merged `stepS` seconds per point. The current
   * second is still filling, so it is left out (a partial point would dip at the chart's edge).
   */
  series(nowMs: number, windowS: number, stepS: number): StatsSeries {
    const points = Math.max(1, Math.floor(Math.min(windowS, this.capacityS) / stepS));
    const firstSecond = Math.floor(nowMs / 1000) - points * stepS;
    const requests = Object.fromEntries(STATUS_CLASSES.map((c) => [c, [] as number[]])) as Record<
      StatusClass,
      number[]
    >;
    const latencyMs = Object.fromEntries(
      LATENCY_KINDS.map((k) => [k, { p50: [], p90: [], p99: [] }]),
    ) as unknown as StatsSeries["latencyMs"];
    const series = {
      startMs: firstSecond * 1000,
      stepS,
      points,
      requests,
      errors: [] as number[],
      tokens: { prompt: [] as number[], completion: [] as number[], cached: [] as number[] },
      latencyMs,
    };
    for (let point = 0; point < points; point++) {
      const merged = this.merge(firstSecond + point * stepS, stepS);
      for (const [i, c] of STATUS_CLASSES.entries()) requests[c].push(merged.counters[i] ?? 0);
      series.errors.push(merged.counters[FIELD.errors] ?? 0);
      series.tokens.prompt.push(merged.counters[FIELD.prompt] ?? 0);
      series.tokens.completion.push(merged.counters[FIELD.completion] ?? 0);
      series.tokens.cached.push(merged.counters[FIELD.cached] ?? 0);
      for (const [k, kind] of LATENCY_KINDS.entries()) {
        const p = percentilesOf(merged.bins, k, merged.maxMs[k] ?? 0);
        latencyMs[kind].p50.push(p?.p50 ?? null);
        latencyMs[kind].p90.push(p?.p90 ?? null);
        latencyMs[kind].p99.push(p?.p99 ?? null);
      }
    }
    return series;
  }

  /** Totals and percentiles over the last `windowS` complete seconds. */
  summary(nowMs: number, windowS: number): StatsSummary {
    const span = Math.min(windowS, this.capacityS);
    const merged = this.merge(Math.floor(nowMs / 1000) - span, span);
    const byStatus = Object.fromEntries(STATUS_CLASSES.map((c, i) => [c, merged.counters[i] ?? 0])) as Record<
      StatusClass,
      number
    >;
    const requests = STATUS_CLASSES.reduce((sum, c) => sum + byStatus[c], 0);
    const latencyMs = Object.fromEntries(
      LATENCY_KINDS.map((kind, k) => [kind, percentilesOf(merged.bins, k, merged.maxMs[k] ?? 0)]),
    ) as Record<LatencyKind, Percentiles | null>;
    return {
      windowS: span,
      requests,
      requestsPerS: requests / span,
      errors: merged.counters[FIELD.errors] ?? 0,
      byStatus,
      tokens: {
        prompt: merged.counters[FIELD.prompt] ?? 0,
        completion: merged.counters[FIELD.completion] ?? 0,
        cached: merged.counters[FIELD.cached] ?? 0,
      },
      latencyMs,
    };
  }

  /** The ring slot for the second of `atMs`, reset when it still holds an older second; -1 if too old. */
  private slotFor(atMs: number): number {
    const second = Math.floor(atMs / 1000);
    const slot = ((second % this.capacityS) + this.capacityS) % this.capacityS;
    const held = this.seconds[slot] ?? Number.NaN;
    if (held === second) return slot;
    if (held > second) return -1;
    this.seconds[slot] = second;
    this.counters.fill(0, slot * FIELD_COUNT, (slot + 1) * FIELD_COUNT);
    const rows = LATENCY_KINDS.length;
    this.bins.fill(0, slot * rows * BIN_COUNT, (slot + 1) * rows * BIN_COUNT);
    this.maxMs.fill(0, slot * rows, (slot + 1) * rows);
    return slot;
  }

  /** Sums `count` seconds from `firstSecond`; slots holding other seconds count as empty. */
  private merge(firstSecond: number, count: number) {
    const rows = LATENCY_KINDS.length;
    const counters = new Float64Array(FIELD_COUNT);
    const bins = new Uint32Array(rows * BIN_COUNT);
    const maxMs = new Float64Array(rows);
    for (let second = firstSecond; second < firstSecond + count; second++) {
      const slot = ((second % this.capacityS) + this.capacityS) % this.capacityS;
      if (this.seconds[slot] !== second) continue;
      for (let f = 0; f < FIELD_COUNT; f++)
        counters[f] = (counters[f] ?? 0) + (this.counters[slot * FIELD_COUNT + f] ?? 0);
      for (let b = 0; b < rows * BIN_COUNT; b++)
        bins[b] = (bins[b] ?? 0) + (this.bins[slot * rows * BIN_COUNT + b] ?? 0);
      for (let r = 0; r < rows; r++) maxMs[r] = Math.max(maxMs[r] ?? 0, this.maxMs[slot * rows + r] ?? 0);
    }
    return { counters, bins, maxMs };
  }
}

function statusClass(status: number, isClientAbort: boolean): StatusClass {
  if (isClientAbort) return "aborted";
  if (status >= 200 && status < 300) return "2xx";
  if (status >= 400 && status < 500) return "4xx";
  if (status >= 500) return "5xx";
  return "other";
}

/** O(1): one logarithm instead of a search over the bounds. */
function binOf(latencyMs: number): number {
  if (!(latencyMs > BIN_MIN_MS)) return 0;
  return Math.min(BIN_COUNT - 1, Math.ceil(Math.log(latencyMs / BIN_MIN_MS) / LOG_FACTOR));
}

function upperBoundMs(bin: number): number {
  return BIN_MIN_MS * BIN_FACTOR ** bin;
}

/** p50/p90/p99 of histogram row `row` in `bins`, interpolated geometrically inside a bin and capped at the max seen. */
function percentilesOf(bins: Uint32Array, row: number, maxMs: number): Percentiles | null {
  let total = 0;
  for (let b = 0; b < BIN_COUNT; b++) total += bins[row * BIN_COUNT + b] ?? 0;
  if (total === 0) return null;
  const at = (q: number): number => {
    const rank = q * total;
    let seen = 0;
    for (let b = 0; b < BIN_COUNT; b++) {
      const count = bins[row * BIN_COUNT + b] ?? 0;
      if (count === 0 || seen + count < rank) {
        seen += count;
        continue;
      }
      const lower = b === 0 ? 0 : upperBoundMs(b - 1);
      const upper = b === BIN_COUNT - 1 ? maxMs : upperBoundMs(b);
      const fraction = (rank - seen) / count;
      const value = lower === 0 ? upper * fraction : lower * (upper / lower) ** fraction;
      return Math.min(value, maxMs);
    }
    return maxMs;
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}
