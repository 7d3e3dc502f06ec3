// One line per fact about how a comparison was run, shared by the Markdown and HTML reports.
import type { ComparisonResult } from "../compare.ts";

export function describeSetup(comparison: ComparisonResult): string[] {
  const { workload, engines, slo } = comparison;
  const params = Object.entries(workload.params)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(", ");
  const warmup = comparison.stages.filter((s) => s.isWarmup);
  const ladder = comparison.stages.filter((s) => !s.isWarmup);
  return [
    `workload: ${workload.name} (${params}), seed ${workload.seed}`,
    `engines: ${engines.count} × sim profile ${engines.profile} (${engines.numGpuBlocks} KV blocks of ${engines.blockSize} tokens each)`,
    `warm-up: ${warmup.length === 0 ? "none" : warmup.map((s) => `${s.qps} QPS × ${s.durationS} s`).join(", ")} (not reported)`,
    `ladder (QPS:seconds): ${ladder.map((s) => `${Number(s.qps.toPrecision(4))}:${Number(s.durationS.toPrecision(4))}`).join(", ")}`,
    `SLO: TTFT ≤ ${slo.ttftMs} ms and TPOT ≤ ${slo.tpotMs} ms per request ("good"); policies are ranked on TTFT p90 ≤ ${slo.ttftMs} ms per stage`,
    "discrete-event simulation: the sim's engine model in virtual time; the production scheduler decides every request",
  ];
}
