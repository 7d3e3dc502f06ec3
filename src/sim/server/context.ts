// What the sim's HTTP routes are handed: the validated args, tokenizer, models, the DP engines and
// the fault injector. Built once by run.ts; routes never reach past it.
import type { PromptTokenizer } from "../../kvcache/index.ts";
import type { Logger } from "../../telemetry/index.ts";
import type { SimArgs } from "../cli-args.ts";
import type { SimEngine, SimStep } from "../engine/types.ts";
import type { FaultInjector } from "../faults.ts";
import type { SleepState } from "../metrics.ts";
import type { EngineRequestStats } from "../metrics-recorder.ts";
import type { PdAgent } from "../pd/agent.ts";
import type { ModelRegistry } from "./models.ts";

/** One DP rank as the server drives it. */
export interface SimEngineHandle {
  /** Global DP rank: the `engine` metric label and the X-data-parallel-rank value. */
  readonly rank: number;
  readonly engine: SimEngine;
  readonly requests: EngineRequestStats;
  /** P/D side channel when --kv-transfer-config names a connector. */
  readonly pd: PdAgent | null;
  /** Engine clock (ms), advancing `timeScale` times faster than the wall clock. */
  nowMs(): number;
  /** Tells the driver new work arrived (add, abort, transfer done). */
  wake(): void;
  /** The step in flight (its callbacks are running), or null. */
  currentStep(): SimStep | null;
  /** Publishes KV events produced outside a step (a prefix-cache reset) right away. */
  publishPendingEvents(): void;
  /** Requests handed to this engine and not finished (load-balancing signal). */
  inFlight: number;
}

export interface EnginePool {
  readonly engines: readonly SimEngineHandle[];
  /** The engine for a request: the pinned rank, else the least loaded. Throws a 400 for a bad rank. */
  pick(pinnedRank: string | undefined): SimEngineHandle;
}

/** Dev-mode sleep (VLLM_SERVER_DEV_MODE + --enable-sleep-mode). */
export interface SleepControl {
  readonly state: SleepState;
  sleep(level: 1 | 2): void;
  wakeUp(): void;
  /** Resolves when awake; requests arriving during sleep wait here before entering an engine. */
  whenAwake(): Promise<void>;
}

export interface SimServerContext {
  readonly args: SimArgs;
  readonly tokenizer: PromptTokenizer;
  readonly models: ModelRegistry;
  readonly pool: EnginePool;
  readonly faults: FaultInjector;
  readonly sleep: SleepControl;
  readonly logger: Logger;
  /** vLLM version string reported by /version. */
  readonly version: string;
  readonly maxModelLen: number;
  /** Wall-clock ms before a request enters the engine: profile.apiOverheadMs / timeScale. */
  readonly apiOverheadMs: number;
  /** Prometheus text of /metrics. */
  metricsText(): string;
  /** Unix time in seconds (for `created`). */
  nowSeconds(): number;
  /** A random id (uuid hex, as vLLM's random_uuid). */
  newId(): string;
  /** Requests in flight across engines (for /load with --enable-server-load-tracking). */
  serverLoad: number;
}
