// Public surface of the scheduler: the endpoint-picking contract, the plugin scheduler and its registry,
// and the round-robin scheduler kept as a baseline.
export type { PlanConfig } from "./build-plan.ts";
export { createBuiltinRegistry } from "./builtin.ts";
export { METRICS_KEY, PREFIX_MATCH_KEY, type PrefixMatchInfo } from "./data-keys.ts";
export { SCHEDULER_ERRORS, type SchedulerErrorCode } from "./errors.ts";
export {
  DEFAULT_OUTPUT_TOKENS,
  expectedOutputTokens,
  latencyFeaturesFor,
  latencyFeaturesOf,
  latencySampleOf,
  type ObservedLatency,
  type RequestWork,
} from "./latency/latency-features.ts";
export { LATENCY_PLUGIN_TYPES, usesLatencyPredictor } from "./latency/latency-plugins.ts";
export {
  type EndpointLatency,
  LATENCY_PREDICTION_KEY,
  type LatencyPluginDeps,
  type LatencyPredictionInfo,
} from "./latency/prediction-key.ts";
export {
  type ParsedSloHeaders,
  parseSloHeaders,
  SLO_TPOT_HEADERS,
  SLO_TTFT_HEADERS,
  type SloHeaders,
  sloHeadersOf,
} from "./latency/slo-headers.ts";
export type { SchedulerConfigProblem } from "./param-problems.ts";
export { type PluginModule, type PluginRegistration, PluginRegistry } from "./registry.ts";
export { createRoundRobinScheduler } from "./round-robin.ts";
export {
  type CreateSchedulerResult,
  createScheduler,
  DEFAULT_SCHEDULER_PLUGINS,
  type PluginFailureCount,
  type PluginScheduler,
  type SchedulerDeps,
} from "./scheduler.ts";
export { createSeededRng } from "./seeded-rng.ts";
export type {
  CycleState,
  DataKey,
  DecisionExplanation,
  Filter,
  PdDecider,
  PdDecision,
  Picker,
  PluginDeps,
  PluginKind,
  PluginStability,
  PrefillTarget,
  PrefixIndexReader,
  PrefixKeys,
  Producer,
  ProfileHandler,
  ScheduleResult,
  Scheduler,
  SchedulingRequest,
  Scorer,
  ScorerCategory,
} from "./types.ts";
