// Public surface of the sim component (DESIGN.md): the `llmux sim` process, its runtime for in-process
// use, and the engine library the benchmark's discrete-event simulation reuses.
export { resolveCapacity, type SimCapacity } from "./capacity.ts";
export { type LoraModule, parseSimArgs, type SimArgs, SimArgsError, type SimOnlyArgs } from "./cli-args.ts";
export { SIM_FLAGS, simFlagsHelp } from "./cli-flags.ts";
export {
  cpuRestoreMs,
  createSimEngine,
  getSimProfile,
  kvTransferMs,
  prefillPairs,
  type RealtimeDriver,
  type RealtimeDriverOptions,
  SIM_PROFILES,
  type SimEngine,
  type SimEngineOptions,
  type SimEngineStats,
  type SimProfile,
  type SimRequest,
  type SimRequestCallbacks,
  type SimRequestResult,
  type SimStep,
  simProfileNames,
  startRealtimeDriver,
  stepDurationMs,
} from "./engine/index.ts";
export { hashString, mixSeeds } from "./engine/rng.ts";
export { simEngineOptions } from "./engine-options.ts";
export { serveSim } from "./run.ts";
export { createSimRuntime, type SimRuntime, type SimRuntimeOptions, simVllmVersion } from "./runtime.ts";
