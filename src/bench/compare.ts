// Policy comparison: runs one workload through the DES once per policy (same engines, same seed,
// same arrivals), summarises every stage, and derives the headline: throughput within the TTFT SLO.
import type { ResolvedEngines } from "./des/engine-setup.ts";
import type { DesPredictorFactory, PredictorRunSummary } from "./des/latency-learning.ts";
import { simulate } from "./des/simulate.ts";
import { summarizeStages } from "./metrics/summarize.ts";
import type { Policy, SkippedPolicy } from "./policies.ts";
import type { Slo, StageSummary, Workload } from "./types.ts";

export interface CompareOptions {
  readonly workload: Workload;
  readonly engines: ResolvedEngines;
  readonly engineCount: number;
  readonly policies: readonly Policy[];
  readonly skipped?: readonly SkippedPolicy[];
  readonly seed: number;
  readonly slo: Slo;
  readonly scrapeIntervalMs?: number;
  readonly maxConcurrency?: number;
  readonly drainBetweenStages?: boolean;
  /** Builds the latency predictor of policies that need one (Policy.needsPredictor). */
  readonly latencyPredictor?: DesPredictorFactory;
  /** Wall clock for the speed figures only (default performance.now); never affects results. */
  readonly wallClockMs?: () => number;
  /** Called after each policy's run. */
  readonly onPolicyDone?: (result: PolicyResult) => void;
}

export interface PolicyResult {
  readonly policy: string;
  readonly description: string;
  /** Non-warm-up stages, in ladder order. */
  readonly stages: readonly StageSummary[];
  /** Highest output tokens/s among stages whose TTFT p90 meets the SLO (0 if none does). */
  readonly outputTokensPerSWithinSlo: number;
  /** Highest offered QPS whose TTFT p90 meets the SLO (0 if none does). */
  readonly maxQpsWithinSlo: number;
  readonly requests: number;
  readonly wallMs: number;
  readonly virtualMs: number;
  readonly events: number;
  readonly engineSteps: number;
  /** The run's latency predictor accuracy; null or absent for policies without one. */
  readonly predictor?: PredictorRunSummary | null;
}

export interface ComparisonResult {
  readonly workload: {
    readonly name: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly seed: number;
  };
  readonly engines: {
    readonly count: number;
    readonly profile: string;
    readonly numGpuBlocks: number;
    readonly blockSize: number;
  };
  readonly slo: Slo;
  readonly stages: readonly {
    readonly qps: number;
    readonly durationS: number;
    readonly isWarmup: boolean;
  }[];
  readonly results: readonly PolicyResult[];
  readonly skipped: readonly SkippedPolicy[];
}

export function comparePolicies(options: CompareOptions): ComparisonResult {
  const clock = options.wallClockMs ?? (() => performance.now());
  const results: PolicyResult[] = [];
  for (const policy of options.policies) {
    const startedMs = clock();
    const run = simulate({
      workload: options.workload,
      engines: options.engines,
      engineCount: options.engineCount,
      policy,
      seed: options.seed,
      scrapeIntervalMs: options.scrapeIntervalMs,
      maxConcurrency: options.maxConcurrency,
      drainBetweenStages: options.drainBetweenStages,
      latencyPredictor: options.latencyPredictor,
    });
    const wallMs = clock() - startedMs;
    const summaries = summarizeStages(options.workload.stages, run.records, {
      slo: options.slo,
      itlByStage: run.itlByStage,
      stageStartMs: run.stageStartMs,
    });
    const measured = summaries.filter((s) => !options.workload.stages[s.stage]!.isWarmup);
    const withinSlo = measured.filter((s) => s.completed > 0 && s.ttftMs.p90 <= options.slo.ttftMs);
    const result: PolicyResult = {
      policy: policy.name,
      description: policy.description,
      stages: measured,
      outputTokensPerSWithinSlo: Math.max(0, ...withinSlo.map((s) => s.outputTokensPerS)),
      maxQpsWithinSlo: Math.max(0, ...withinSlo.map((s) => s.qps)),
      requests: run.records.length,
      wallMs,
      virtualMs: run.virtualMs,
      events: run.events,
      engineSteps: run.engineSteps,
      predictor: run.predictor,
    };
    results.push(result);
    options.onPolicyDone?.(result);
  }
  const engine = options.engines.options;
  return {
    workload: { name: options.workload.name, params: options.workload.params, seed: options.workload.seed },
    engines: {
      count: options.engineCount,
      profile: engine.profile.name,
      numGpuBlocks: engine.numGpuBlocks,
      blockSize: engine.blockSize,
    },
    slo: options.slo,
    stages: options.workload.stages.map((s) => ({
      qps: s.qps,
      durationS: s.durationMs / 1000,
      isWarmup: s.isWarmup,
    })),
    results,
    skipped: options.skipped ?? [],
  };
}
