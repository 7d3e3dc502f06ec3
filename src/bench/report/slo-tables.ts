// The report's SLO tables: goodput (requests meeting their own SLO, else the run's) per stage by policy,
// and the accuracy of the latency predictor of policies that route on one.
import type { ComparisonResult } from "../compare.ts";
import type { Table } from "./tables.ts";

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

/** Share of each stage's requests meeting their SLO, and over all reported stages. */
export function goodputTable(comparison: ComparisonResult): Table {
  const first = comparison.results[0];
  return {
    title: "Goodput (requests meeting their SLO: their SLO headers, else the run's)",
    header: ["policy", ...(first?.stages ?? []).map((s) => `QPS ${s.qps}`), "all stages"],
    rows: comparison.results.map((r) => {
      const requests = r.stages.reduce((sum, s) => sum + s.requests, 0);
      const good = r.stages.reduce((sum, s) => sum + s.goodFraction * s.requests, 0);
      return [
        r.policy,
        ...r.stages.map((s) => percent(s.goodFraction)),
        requests === 0 ? "-" : `${percent(good / requests)} (${Math.round(good)}/${requests})`,
      ];
    }),
  };
}

/** Held-back accuracy at the end of the run and prospective accuracy at each pick; null without predictors. */
export function predictorTable(comparison: ComparisonResult): Table | null {
  const rows = comparison.results.flatMap((r) => {
    const summary = r.predictor ?? null;
    if (summary === null) return [];
    const held = summary.heldBack;
    const { prospective } = summary;
    return [
      [
        r.policy,
        held?.family ?? "none",
        held === null ? "-" : percent(held.ttftMape),
        held === null ? "-" : percent(held.ttftCoverage),
        held === null || held.tpotMape === null ? "-" : percent(held.tpotMape),
        held === null ? "-" : String(held.testSamples),
        prospective.ttft.requests === 0 ? "-" : percent(prospective.ttft.mape),
        prospective.ttft.requests === 0 ? "-" : percent(prospective.ttft.coverage),
        prospective.tpot.requests === 0 ? "-" : percent(prospective.tpot.mape),
        String(prospective.ttft.requests),
        String(held?.trainings ?? 0),
      ],
    ];
  });
  if (rows.length === 0) return null;
  return {
    title: "Latency predictor (trained online from the run's own requests)",
    header: [
      "policy",
      "serving family",
      "TTFT MAPE (held back)",
      "TTFT p90 coverage (held back)",
      "TPOT MAPE (held back)",
      "held-back samples",
      "TTFT MAPE (at each pick)",
      "TTFT p90 coverage (at each pick)",
      "TPOT MAPE (at each pick)",
      "predicted picks",
      "trainings",
    ],
    rows,
  };
}

/** TTFT predicted at each pick against what came, per stage: how accuracy moves with the load. */
export function predictorByStageTable(comparison: ComparisonResult): Table | null {
  const trained = comparison.results.filter((r) => (r.predictor ?? null) !== null);
  const first = comparison.results[0];
  if (trained.length === 0 || first === undefined) return null;
  return {
    title: "Latency predictor: TTFT MAPE at each pick, by stage",
    header: ["policy", ...first.stages.map((s) => `QPS ${s.qps}`)],
    rows: trained.map((r) => [
      r.policy,
      ...r.stages.map((s) => {
        const accuracy = r.predictor?.ttftByStage[s.stage];
        return accuracy === undefined || accuracy.requests === 0 ? "-" : percent(accuracy.mape);
      }),
    ]),
  };
}
