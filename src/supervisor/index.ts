// Public surface of the supervisor: GPU discovery, the launch plan, engine command lines,
// the dry-run report and the supervisor that keeps the engines alive.
export type { Clock, Timers } from "./clock.ts";
export { type DryRunOptions, renderDryRun } from "./dry-run.ts";
export { SUPERVISOR_ERRORS, SupervisorError, type SupervisorErrorCode } from "./errors.ts";
export { applyCudaVisibleDevices, type DiscoverGpusOptions, discoverGpus, parseNvidiaSmiCsv } from "./gpu.ts";
export { replicasForAllGpus } from "./gpu-assignment.ts";
export type { HealthProbe } from "./health-probe.ts";
export type { DrainHook, SupervisorCounters } from "./instance.ts";
export { findLeftovers, formatLeftovers, type Leftover, pidFilePath } from "./pid-file.ts";
export { type PlacementInput, planPlacement, resolveEngineKind } from "./placement.ts";
export { type CreatePlanOptions, createPlan, formatProblems } from "./plan.ts";
export type { PortProbe, ReservedPort } from "./ports.ts";
export {
  createSpawner,
  type EngineProcess,
  type ExitInfo,
  launcherPrefix,
  type SpawnEngine,
} from "./process.ts";
export {
  createEngineRoller,
  describeStep,
  type EngineRoll,
  type EngineRoller,
  type RollerDeps,
  type RollOutcome,
  type RollPreparation,
  type RollRequest,
} from "./roll.ts";
export {
  heldResources,
  orderRollSteps,
  type RollOrder,
  type RollOrderInput,
  type RollStep,
} from "./roll-order.ts";
export {
  createSystemdNotifier,
  SYSTEMD_NOTIFY_ENV,
  type SystemdNotifier,
  type SystemdNotifierOptions,
} from "./sd-notify.ts";
export { shellJoin, shellQuote } from "./shell-quote.ts";
export {
  createSupervisor,
  type SettledState,
  type StartReport,
  type Supervisor,
  type SupervisorOptions,
} from "./supervisor.ts";
export { registerSupervisorMetrics, type SupervisorMetricSource } from "./supervisor-metrics.ts";
export {
  createEngineStatusReporter,
  type EngineStatusReporter,
  quoteSystemdWord,
  renderSystemdUnit,
  type SystemdUnitOptions,
  stopBudgetS,
} from "./systemd.ts";
export type {
  EngineKind,
  EngineRole,
  Gpu,
  GpuDiscovery,
  InstanceChange,
  InstanceChangeListener,
  InstanceSnapshot,
  InstanceState,
  LaunchSpec,
  PlacementProblem,
  Plan,
  PlannedInstance,
  PlanResult,
} from "./types.ts";
export {
  buildLaunchSpec,
  ENGINE_PREFIX_HASH_ALGO,
  kvEventsTopic,
  type LaunchSpecOptions,
  simCommand,
} from "./vllm-argv.ts";
