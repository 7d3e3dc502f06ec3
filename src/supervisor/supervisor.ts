// The supervisor: launches every planned instance, keeps them alive, tells listeners (the pool)
// when an instance becomes routable or stops being so, records pids, and drains everything on stop.
import type { SupervisorConfig } from "../config/index.ts";
import type { Logger } from "../telemetry/index.ts";
import { type Clock, SYSTEM_CLOCK, SYSTEM_TIMERS, type Timers } from "./clock.ts";
import { type HealthProbe, probeHealth } from "./health-probe.ts";
import {
  createInstance,
  type DrainHook,
  type EngineInstance,
  type InstanceTimings,
  type SupervisorCounters,
} from "./instance.ts";
import { findLeftovers, formatLeftovers, type Leftover, pidFilePath, readProcCmdline } from "./pid-file.ts";
import { createPidRecorder, type PidRecorder } from "./pid-recorder.ts";
import { createSpawner, launcherPrefix, type SpawnEngine } from "./process.ts";
import { type BackoffSettings, createRestartPolicy, DEFAULT_BACKOFF } from "./restart-policy.ts";
import type {
  InstanceChange,
  InstanceChangeListener,
  InstanceSnapshot,
  LaunchSpec,
  Plan,
  PlannedInstance,
} from "./types.ts";
import { buildLaunchSpec } from "./vllm-argv.ts";

export interface SupervisorOptions {
  readonly plan: Plan;
  readonly config: SupervisorConfig;
  readonly logger: Logger;
  /** Runs per instance after it left the pool and before SIGTERM: wait for in-flight requests. */
  readonly drain?: DrainHook;
  /** Where the pid file lives; config.state_dir, $XDG_RUNTIME_DIR or /tmp by default. */
  readonly pidFile?: string;
  readonly spawn?: SpawnEngine;
  readonly probe?: HealthProbe;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly rng?: () => number;
  /** Polling and backoff settings without a config field; defaults suit vLLM. */
  readonly timings?: Partial<
    Pick<InstanceTimings, "pollIntervalMs" | "probeTimeoutMs" | "progressLogIntervalMs">
  >;
  readonly backoff?: Partial<BackoffSettings>;
  /** Command in front of a sim engine's flags; this binary's `sim` subcommand by default. */
  readonly simCommand?: readonly string[];
}

export interface StartReport {
  /** Engines (or an llmux) of an earlier run that are still alive; already logged. */
  readonly leftovers: readonly Leftover[];
  readonly pidFile: string;
}

export interface Supervisor {
  /** Records pids, reports leftovers of an earlier run, launches every instance; does not wait for readiness. */
  start(): Promise<StartReport>;
  /** Drains and stops every instance (listeners first see `draining`), then removes the pid file. */
  stop(): Promise<void>;
  instances(): InstanceSnapshot[];
  /** Called on every state change; returns an unsubscribe function. */
  onChange(listener: InstanceChangeListener): () => void;
  counters(): Readonly<SupervisorCounters>;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { plan, config, logger } = options;
  const pidFile = options.pidFile ?? pidFilePath(config.state_dir);
  const counters = newCounters();
  const listeners = new Set<InstanceChangeListener>();
  const launches = new Map(plan.instances.map((planned) => [planned.id, launchSpecFor(planned, options)]));
  const recorder: PidRecorder = createPidRecorder(pidFile, identifyingArgs(launches), logger, () => {
    counters.pidFileErrors += 1;
  });
  const instances = createInstances(options, launches, counters, (change) => {
    recorder.update(instances.map((instance) => instance.snapshot()));
    notify(listeners, change, logger, counters);
  });
  let stopping: Promise<void> | null = null;

  return {
    async start() {
      const leftovers = findLeftovers(pidFile, process.pid, readProcCmdline);
      if (leftovers.length > 0) logger.warn({ leftovers }, formatLeftovers(pidFile, leftovers));
      recorder.update([]);
      logger.info({ instances: instances.length, pidFile }, "launching engines");
      for (const instance of instances) instance.start();
      return { leftovers, pidFile };
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all(instances.map((instance) => instance.stop(options.drain)));
        recorder.remove();
        logger.info("all engines stopped");
      })();
      return stopping;
    },
    instances: () => instances.map((instance) => instance.snapshot()),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    counters: () => ({ ...counters }),
  };
}

function launchSpecFor(planned: PlannedInstance, options: SupervisorOptions): LaunchSpec {
  return buildLaunchSpec(
    planned,
    options.plan,
    options.simCommand === undefined ? {} : { simCommand: options.simCommand },
  );
}

/** From `--host` on: the flags llmux generated, unique per instance, whatever interpreter runs the command. */
function identifyingArgs(launches: ReadonlyMap<string, LaunchSpec>): Map<string, readonly string[]> {
  return new Map([...launches].map(([id, launch]) => [id, launch.argv.slice(launch.argv.indexOf("--host"))]));
}

function createInstances(
  options: SupervisorOptions,
  launches: ReadonlyMap<string, LaunchSpec>,
  counters: SupervisorCounters,
  onChange: InstanceChangeListener,
): EngineInstance[] {
  const { plan, config } = options;
  const spawn = options.spawn ?? defaultSpawner(options.logger);
  const timings = instanceTimings(options);
  return plan.instances.map((planned) => {
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
    return createInstance(
      planned,
      launches.get(planned.id) ?? launchSpecFor(planned, options),
      plan.host,
      deps,
      timings,
    );
  });
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

function instanceTimings(options: SupervisorOptions): InstanceTimings {
  return {
    readinessTimeoutMs: options.config.readiness_timeout_s * 1000,
    stopGraceMs: options.config.stop_grace_s * 1000,
    pollIntervalMs: options.timings?.pollIntervalMs ?? 500,
    probeTimeoutMs: options.timings?.probeTimeoutMs ?? 2_000,
    progressLogIntervalMs: options.timings?.progressLogIntervalMs ?? 30_000,
  };
}

function newCounters(): SupervisorCounters {
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

function notify(
  listeners: ReadonlySet<InstanceChangeListener>,
  change: InstanceChange,
  logger: Logger,
  counters: SupervisorCounters,
): void {
  for (const listener of listeners) {
    try {
      listener(change);
    } catch (error) {
      counters.listenerErrors += 1;
      logger.error({ err: error, instance: change.instance.id }, "instance change listener failed");
    }
  }
}
