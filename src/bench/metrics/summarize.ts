// Per-stage statistics from request records: latency percentiles, throughput, goodput under an SLO
// (each request's own when it carries one) and prefix-cache hit rate. Warm-up stages are summarised
// too; callers choose what to show.
import type { LatencyStats, RequestRecord, Slo, Stage, StageSummary } from "../types.ts";
import type { LatencyHistogram } from "./latency-histogram.ts";

/** llm-d's and the SLO: TTFT ≤ 2 s and TPOT ≤ 100 ms. */
export const DEFAULT_SLO: Slo = { ttftMs: 2000, tpotMs: 100 };

/** Exact percentile by nearest rank over sorted values; 0 for none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { mean, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99) };
}

/** TPOT of one record: decode time per generated token after the first (0 with one token). */
export function tpotOf(record: RequestRecord): number {
  if (record.firstTokenMs === null || record.completionTokens <= 1) return 0;
  return (record.endMs - record.firstTokenMs) / (record.completionTokens - 1);
}

export interface SummarizeOptions {
  readonly slo: Slo;
  /** Inter-token latencies per stage index; when absent, ITL statistics use per-request means. */
  readonly itlByStage?: ReadonlyMap<number, LatencyHistogram>;
  /** Absolute start of each stage on the records' clock, by stage index. */
  readonly stageStartMs: ReadonlyMap<number, number>;
}

export function summarizeStage(
  stage: Stage,
  records: readonly RequestRecord[],
  options: SummarizeOptions,
): StageSummary {
  const ok = records.filter((r) => r.error === null && r.firstTokenMs !== null);
  const ttft = ok.map((r) => r.firstTokenMs! - r.arrivalMs);
  const tpot = ok.map(tpotOf);
  const startMs =
    options.stageStartMs.get(stage.index) ??
    records.reduce((min, r) => Math.min(min, r.arrivalMs), records[0]?.arrivalMs ?? 0);
  const lastEndMs = records.reduce((max, r) => Math.max(max, r.endMs), startMs);
  // Delivered rate: from the stage start until its last request finished, so a backlog lowers it.
  const spanS = Math.max(stage.durationMs, lastEndMs - startMs) / 1000;
  const outputTokens = ok.reduce((a, r) => a + r.completionTokens, 0);
  const promptTokens = ok.reduce((a, r) => a + r.promptTokens, 0);
  const cachedTokens = ok.reduce((a, r) => a + r.cachedTokens, 0);
  const good = ok.filter(
    (r) =>
      r.firstTokenMs! - r.arrivalMs <= (r.tags.sloTtftMs ?? options.slo.ttftMs) &&
      tpotOf(r) <= (r.tags.sloTpotMs ?? options.slo.tpotMs),
  );
  const perEndpoint: Record<string, number> = {};
  for (const r of records) perEndpoint[r.endpoint] = (perEndpoint[r.endpoint] ?? 0) + 1;
  const histogram = options.itlByStage?.get(stage.index);
  return {
    stage: stage.index,
    qps: stage.qps,
    durationMs: stage.durationMs,
    requests: records.length,
    completed: ok.length,
    failed: records.length - ok.length,
    ttftMs: latencyStats(ttft),
    tpotMs: latencyStats(tpot),
    itlMs:
      histogram === undefined
        ? latencyStats(ok.filter((r) => r.itlCount > 0).map((r) => r.itlSumMs / r.itlCount))
        : {
            mean: histogram.mean(),
            p50: histogram.quantile(0.5),
            p90: histogram.quantile(0.9),
            p99: histogram.quantile(0.99),
          },
    e2eMs: latencyStats(ok.map((r) => r.endMs - r.arrivalMs)),
    outputTokensPerS: spanS > 0 ? outputTokens / spanS : 0,
    inputTokensPerS: spanS > 0 ? promptTokens / spanS : 0,
    requestsPerS: spanS > 0 ? ok.length / spanS : 0,
    goodputRequestsPerS: spanS > 0 ? good.length / spanS : 0,
    goodFraction: records.length === 0 ? 0 : good.length / records.length,
    promptTokens,
    cachedTokens,
    outputTokens,
    cacheHitRate: promptTokens === 0 ? 0 : cachedTokens / promptTokens,
    perEndpoint,
  };
}

/** One summary per stage, in stage order. */
export function summarizeStages(
  stages: readonly Stage[],
  records: readonly RequestRecord[],
  options: SummarizeOptions,
): StageSummary[] {
  const byStage = new Map<number, RequestRecord[]>();
  for (const r of records) {
    const list = byStage.get(r.stage);
    if (list === undefined) byStage.set(r.stage, [r]);
    else list.push(r);
  }
  return stages.map((stage) => summarizeStage(stage, byStage.get(stage.index) ?? [], options));
}
