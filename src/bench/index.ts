// Public surface of the bench component: workloads and trace replay, the real-time load generator,
// the discrete-event simulation, policy comparison and its Markdown/HTML reports.
export {
  type CompareOptions,
  type ComparisonResult,
  comparePolicies,
  type PolicyResult,
} from "./compare.ts";
export { type EngineSetup, type ResolvedEngines, resolveEngines } from "./des/engine-setup.ts";
export type {
  DesLatencyPredictor,
  DesPredictorFactory,
  HeldBackAccuracy,
  PredictorRunSummary,
} from "./des/latency-learning.ts";
export { createOracleScheduler } from "./des/oracle-scheduler.ts";
export type { OracleView } from "./des/oracle-view.ts";
export { type SimulationOptions, type SimulationResult, simulate } from "./des/simulate.ts";
export { BENCH_ERRORS, BenchError, type BenchErrorCode } from "./errors.ts";
export {
  firstServedModel,
  type LoadOptions,
  type LoadProgress,
  type LoadResult,
  runLoad,
} from "./loadgen/loadgen.ts";
export { type ApiKind, requestBody, tokensAsText } from "./loadgen/request-body.ts";
export { LatencyHistogram } from "./metrics/latency-histogram.ts";
export {
  DEFAULT_SLO,
  latencyStats,
  percentile,
  type SummarizeOptions,
  summarizeStages,
  tpotOf,
} from "./metrics/summarize.ts";
export {
  type BenchFlags,
  BenchFlagsSchema,
  ladderFromFlags,
  paramsFromFlags,
  parseBenchFlags,
  splitList,
} from "./options.ts";
export {
  type KindResult,
  measureGatewayOverhead,
  type OverheadOptions,
  type OverheadResult,
  type PathStats,
} from "./overhead/run.ts";
export { overheadTable } from "./overhead/table.ts";
export {
  POLICY_NAMES,
  type Policy,
  type PolicyContext,
  type ResolvePoliciesOptions,
  resolvePolicies,
  type SkippedPolicy,
} from "./policies.ts";
export { formatLoadProgress } from "./progress-text.ts";
export { renderHtmlReport } from "./report/html.ts";
export { renderMarkdownReport, renderMarkdownTable } from "./report/markdown.ts";
export { lineChart } from "./report/svg-chart.ts";
export { headlineTable, stageTable, type Table } from "./report/tables.ts";
export type {
  LatencyStats,
  RequestRecord,
  RequestTags,
  Slo,
  Stage,
  StageSummary,
  Workload,
  WorkloadRequest,
} from "./types.ts";
export { type MooncakeEntry, mooncakePrompt, parseMooncakeTrace } from "./workload/mooncake.ts";
export {
  buildWorkload,
  defaultStagesOf,
  formatStages,
  type WorkloadSpec,
  workloadNames,
  workloadsHelp,
} from "./workload/registry.ts";
export { type ArrivalProcess, LLM_D_SHARED_PREFIX_LADDER, type StageSpec } from "./workload/stages.ts";
