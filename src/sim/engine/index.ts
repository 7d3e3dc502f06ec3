// Public surface of the simulated engine library: the contract, the factory, presets, the step-cost
// model and the real-time driver.
export { createSimEngine } from "./engine.ts";
export { getSimProfile, SIM_PROFILES, simProfileNames } from "./profiles.ts";
export type { RealtimeDriver, RealtimeDriverOptions } from "./realtime-driver.ts";
export { startRealtimeDriver } from "./realtime-driver.ts";
export type { StepWork } from "./step-cost.ts";
export { cpuRestoreMs, kvTransferMs, prefillPairs, stepDurationMs } from "./step-cost.ts";
export type {
  FinishReason,
  SimAdmitError,
  SimEngine,
  SimEngineOptions,
  SimEngineStats,
  SimProfile,
  SimRequest,
  SimRequestCallbacks,
  SimRequestResult,
  SimStep,
} from "./types.ts";
