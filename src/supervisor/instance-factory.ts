// Builds engine instances on the supervisor's shared dependencies (spawner, probe, clock, timers,
// counters), each with a restart policy of its own: a crash loop is counted per instance and per launch.
import type { SupervisorConfig } from "../config/index.ts";
import type { Logger } from "../telemetry/index.ts";
import { type Clock, SYSTEM_CLOCK, SYSTEM_TIMERS, type Timers } from "./clock.ts";
import { type HealthProbe, probeHealth } from "./health-probe.ts";
import {
  createInstance,
  type EngineInstance,
  type InstanceTimings,
  type SupervisorCounters,
} from "./instance.ts";
import { createSpawner, launcherPrefix, type SpawnEngine } from "./process.ts";
import { type BackoffSettings, createRestartPolicy, DEFAULT_BACKOFF } from "./restart-policy.ts";
import type { InstanceChangeListener, LaunchSpec, PlannedInstance } from "./types.ts";

export interface InstanceFactoryOptions {
  readonly config: SupervisorConfig;
  readonly logger: Logger;
  readonly spawn?: SpawnEngine;
  readonly probe?: HealthProbe;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly rng?: () => number;
  /** Polling settings without a config field; defaults suit vLLM. */
  readonly timings?: Partial<
    Pick<InstanceTimings, "pollIntervalMs" | "probeTimeoutMs" | "progressLogIntervalMs">
  >;
  readonly backoff?: Partial<BackoffSettings>;
}

/** A new, not yet started instance of `planned` running `launch` on `host`. */
export type InstanceFactory = (planned: PlannedInstance, launch: LaunchSpec, host: string) => EngineInstance;

export function createInstanceFactory(
  options: InstanceFactoryOptions,
  counters: SupervisorCounters,
  onChange: InstanceChangeListener,
): InstanceFactory {
  const { config } = options;
  // One spawner for the supervisor's life: the setpriv warning is logged once, not per instance.
  const spawn = options.spawn ?? defaultSpawner(options.logger);
  const timings = instanceTimings(options);
  return function newInstance(planned, launch, host) {
    const policy = createRestartPolicy({
      ...DEFAULT_BACKOFF,
      ...options.backoff,
      maxRestarts: config.max_restarts,
      windowMs: config.restart_window_s * 1000,
      rng: options.rng ?? Math.random,
    });
    const deps = {
      spawn,
      probe: options.probe ?? probeHealth,
      clock: options.clock ?? SYSTEM_CLOCK,
      timers: options.timers ?? SYSTEM_TIMERS,
      logger: options.logger,
      counters,
      onChange,
      policy,
    };
    return createInstance(planned, launch, host, deps, timings);
  };
}

export function newCounters(): SupervisorCounters {
  return {
    spawnFailures: 0,
    crashes: 0,
    readinessTimeouts: 0,
    restarts: 0,
    outputReadErrors: 0,
    drainHookErrors: 0,
    listenerErrors: 0,
    pidFileErrors: 0,
  };
}

function defaultSpawner(logger: Logger): SpawnEngine {
  const prefix = launcherPrefix();
  if (prefix.length === 0) {
    logger.warn(
      "setpriv (util-linux) not found: engines get no parent-death signal and can outlive llmux if it is SIGKILLed; install util-linux or run llmux under systemd (KillMode=control-group)",
    );
  }
  return createSpawner({ prefix });
}

function instanceTimings(options: InstanceFactoryOptions): InstanceTimings {
  return {
    readinessTimeoutMs: options.config.readiness_timeout_s * 1000,
    stopGraceMs: options.config.stop_grace_s * 1000,
    pollIntervalMs: options.timings?.pollIntervalMs ?? 500,
    probeTimeoutMs: options.timings?.probeTimeoutMs ?? 2_000,
    progressLogIntervalMs: options.timings?.progressLogIntervalMs ?? 30_000,
  };
}
