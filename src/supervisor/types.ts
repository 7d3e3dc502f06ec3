// Contracts of the supervisor: GPUs, the placement plan, launch specs and instance snapshots.
import type { EngineSpec } from "../config/index.ts";

/** One GPU as nvidia-smi reports it; `index` is nvidia-smi's (PCI bus order). */
export interface Gpu {
  readonly index: number;
  readonly uuid: string;
  readonly name: string;
  /** null when nvidia-smi prints `[N/A]` (e.g. MIG). */
  readonly memoryTotalMiB: number | null;
  readonly memoryUsedMiB: number | null;
}

/** Result of GPU discovery: never throws; `report` says what was found or why nothing was. */
export interface GpuDiscovery {
  readonly gpus: readonly Gpu[];
  readonly report: string;
}

export type EngineKind = "vllm" | "sim";
export type EngineRole = EngineSpec["role"];

/** One engine process to run, with every resource it owns on this host. */
export interface PlannedInstance {
  /** Stable across runs of the same config; used in logs, the KV topic and `x-llmux-endpoint`. */
  readonly id: string;
  /** Position of the source entry in `engines:`. */
  readonly entryIndex: number;
  readonly engine: EngineKind;
  readonly model: string;
  /** Names the engine serves; the first is the model name in the KV-events topic and metrics. */
  readonly servedModelNames: readonly string[];
  readonly role: EngineRole;
  readonly tensorParallelSize: number;
  /** nvidia-smi indices; empty for sim engines. */
  readonly gpus: readonly number[];
  readonly port: number;
  readonly kvEventsPort: number;
  readonly replayPort: number;
  /** VLLM_NIXL_SIDE_CHANNEL_PORT; only prefill and decode instances have one. */
  readonly nixlPort: number | null;
  readonly spec: EngineSpec;
}

/** Everything `up` needs to launch the engines; built and validated before anything starts. */
export interface Plan {
  /** Address engines listen on (`supervisor.host`). */
  readonly host: string;
  readonly pythonHashSeed: string;
  /** Command for vLLM engines, e.g. `["vllm", "serve"]`. */
  readonly vllmCommand: readonly string[];
  /** Flags for simulated engines only (supervisor.sim_args), placed before each entry's extra_args. */
  readonly simArgs: readonly string[];
  readonly gpuReport: string;
  readonly gpus: readonly Gpu[];
  readonly instances: readonly PlannedInstance[];
}

/** One reason the plan cannot run, with where it comes from and how to fix it. */
export interface PlacementProblem {
  /** Dotted config path, e.g. `engines[1].extra_args`. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

export type PlanResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly problems: readonly PlacementProblem[] };

/** The exact process to start for one instance; `env` holds only what llmux sets. */
export interface LaunchSpec {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export type InstanceState = "starting" | "ready" | "draining" | "stopped" | "crashed" | "failed";

/** A point-in-time copy of one instance, for the pool, `/ready` and `llmux status`. */
export interface InstanceSnapshot {
  readonly id: string;
  readonly model: string;
  readonly servedModelNames: readonly string[];
  readonly role: EngineRole;
  readonly engine: EngineKind;
  readonly gpus: readonly number[];
  readonly host: string;
  readonly port: number;
  readonly kvEventsPort: number;
  readonly replayPort: number;
  readonly state: InstanceState;
  /** Process id (and process group id) of the current engine process; null when none runs. */
  readonly pid: number | null;
  readonly restarts: number;
  /** Time since the current process was started; 0 when none runs. */
  readonly uptimeMs: number;
  /** Last engine output line; shows loading progress while starting. */
  readonly lastOutputLine: string | null;
  /** `<error code>: <detail>`, codes from SUPERVISOR_ERRORS; kept after recovery until the next error. */
  readonly lastError: string | null;
}

/** Emitted on every state change: the pool adds an instance on `ready` and removes it on any other state. */
export interface InstanceChange {
  readonly instance: InstanceSnapshot;
  readonly previousState: InstanceState;
}

export type InstanceChangeListener = (change: InstanceChange) => void;
