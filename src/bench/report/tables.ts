// The report's tables as plain rows of strings, shared by the Markdown and HTML renderers:
// the headline per policy, TTFT p90 by QPS across policies, and each policy's per-stage detail.
import type { ComparisonResult, PolicyResult } from "../compare.ts";
import type { StageSummary } from "../types.ts";

export interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Seconds with three significant digits ("0.142 s", "31.1 s"). */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}

export function milliseconds(ms: number): string {
  return `${Number(ms.toPrecision(3))} ms`;
}

function rate(value: number): string {
  return value >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

/** Cache hit rate over all of a policy's reported stages. */
export function overallHitRate(result: PolicyResult): number {
  const prompt = result.stages.reduce((a, s) => a + s.promptTokens, 0);
  const cached = result.stages.reduce((a, s) => a + s.cachedTokens, 0);
  return prompt === 0 ? 0 : cached / prompt;
}

export function headlineTable(comparison: ComparisonResult): Table {
  const slo = seconds(comparison.slo.ttftMs);
  return {
    title: `Headline (SLO: TTFT p90 ≤ ${slo})`,
    header: [
      "policy",
      "max QPS within SLO",
      "output tok/s within SLO",
      "peak output tok/s",
      "TTFT p90 at top QPS",
      "cache hit rate",
    ],
    rows: comparison.results.map((r) => {
      const top = r.stages.at(-1);
      return [
        r.policy,
        r.maxQpsWithinSlo > 0 ? rate(r.maxQpsWithinSlo) : "none",
        rate(r.outputTokensPerSWithinSlo),
        rate(Math.max(0, ...r.stages.map((s) => s.outputTokensPerS))),
        top === undefined ? "-" : seconds(top.ttftMs.p90),
        percent(overallHitRate(r)),
      ];
    }),
  };
}

export function ttftByQpsTable(comparison: ComparisonResult, field: "p50" | "p90"): Table {
  const first = comparison.results[0];
  return {
    title: `TTFT ${field} by QPS`,
    header: ["QPS", ...comparison.results.map((r) => r.policy)],
    rows: (first?.stages ?? []).map((stage, i) => [
      rate(stage.qps),
      ...comparison.results.map((r) => {
        const s = r.stages[i];
        return s === undefined ? "-" : seconds(s.ttftMs[field]);
      }),
    ]),
  };
}

export function policyDetailTable(result: PolicyResult): Table {
  return stageTable(`${result.policy}: ${result.description}`, result.stages);
}

/** One row per stage: latencies, throughput, cache hits and the SLO share. */
export function stageTable(title: string, stages: readonly StageSummary[]): Table {
  return {
    title,
    header: [
      "QPS",
      "requests",
      "TTFT p50",
      "TTFT p90",
      "TTFT p99",
      "TPOT p50",
      "ITL p99",
      "e2e p50",
      "output tok/s",
      "cache hit",
      "good (SLO)",
    ],
    rows: stages.map((s) => [
      rate(s.qps),
      s.failed > 0 ? `${s.completed} (+${s.failed} failed)` : String(s.completed),
      seconds(s.ttftMs.p50),
      seconds(s.ttftMs.p90),
      seconds(s.ttftMs.p99),
      milliseconds(s.tpotMs.p50),
      milliseconds(s.itlMs.p99),
      seconds(s.e2eMs.p50),
      rate(s.outputTokensPerS),
      percent(s.cacheHitRate),
      percent(s.goodFraction),
    ]),
  };
}
