// The supervisor: launches every planned instance, keeps them alive, tells listeners (the pool)
// when an instance becomes routable or stops being so, records pids, replaces, adds and removes
// instances one call at a time (the roll), and drains everything on stop.
import type { Logger } from "../telemetry/index.ts";
import type { DrainHook, EngineInstance, SupervisorCounters } from "./instance.ts";
import { createInstanceFactory, type InstanceFactoryOptions, newCounters } from "./instance-factory.ts";
import { findLeftovers, formatLeftovers, type Leftover, pidFilePath, readProcCmdline } from "./pid-file.ts";
import { createPidRecorder } from "./pid-recorder.ts";
import type {
  InstanceChange,
  InstanceChangeListener,
  InstanceSnapshot,
  InstanceState,
  LaunchSpec,
  Plan,
  PlannedInstance,
} from "./types.ts";
import { buildLaunchSpec } from "./vllm-argv.ts";

export interface SupervisorOptions extends InstanceFactoryOptions {
  readonly plan: Plan;
  /** Runs per instance after it left the pool and before SIGTERM: wait for in-flight requests. */
  readonly drain?: DrainHook;
  /** Where the pid file lives; config.state_dir, $XDG_RUNTIME_DIR or /tmp by default. */
  readonly pidFile?: string;
  /** Command in front of a sim engine's flags; this binary's `sim` subcommand by default. */
  readonly simCommand?: readonly string[];
}

export interface StartReport {
  /** Engines (or an llmux) of an earlier run that are still alive; already logged. */
  readonly leftovers: readonly Leftover[];
  readonly pidFile: string;
}

/** Where a launched instance ended up first: routable, given up on (crash loop), or stopped by stop(). */
export type SettledState = Extract<InstanceState, "ready" | "failed" | "stopped">;

export interface Supervisor {
  /** Records pids, reports leftovers of an earlier run, launches every instance; does not wait for readiness. */
  start(): Promise<StartReport>;
  /** Drains and stops every instance (listeners first see `draining`), then removes the pid file. */
  stop(): Promise<void>;
  instances(): InstanceSnapshot[];
  /** Called on every state change; returns an unsubscribe function. */
  onChange(listener: InstanceChangeListener): () => void;
  counters(): Readonly<SupervisorCounters>;
  /** The plan the instances run: the one given at creation, as changed by add, replace and remove. */
  plan(): Plan;
  /** The command line and environment instance `id` was launched with; undefined for an unknown id. */
  launchSpec(id: string): LaunchSpec | undefined;
  /** What `planned` would be launched with under `plan`, built as this supervisor builds it. */
  launchSpecFor(planned: PlannedInstance, plan: Plan): LaunchSpec;
  /** Launches a new instance (an id not running yet); resolves when it settles. Call after start(). */
  add(planned: PlannedInstance, plan: Plan): Promise<SettledState>;
  /**
   * Drains and stops instance `planned.id`, then launches it again as `planned` under the same id;
   * resolves when the new process settles. Stop-then-start: the ports usually stay the same.
   */
  replace(planned: PlannedInstance, plan: Plan): Promise<SettledState>;
  /** Drains and stops instance `id` and forgets it. */
  remove(id: string): Promise<void>;
}

interface Member {
  readonly planned: PlannedInstance;
  readonly launch: LaunchSpec;
  readonly instance: EngineInstance;
}

const SETTLED: ReadonlySet<InstanceState> = new Set<InstanceState>(["ready", "failed", "stopped"]);

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { config, logger } = options;
  const pidFile = options.pidFile ?? pidFilePath(config.state_dir);
  const counters = newCounters();
  const listeners = new Set<InstanceChangeListener>();
  const settleWaiters = new Map<string, (state: SettledState) => void>();
  const members = new Map<string, Member>();
  // Mutated as instances come and go: the recorder reads it on every update.
  const identifying = new Map<string, readonly string[]>();
  const recorder = createPidRecorder(pidFile, identifying, logger, () => {
    counters.pidFileErrors += 1;
  });
  const snapshots = () => [...members.values()].map((member) => member.instance.snapshot());
  const newInstance = createInstanceFactory(options, counters, function onInstanceChange(change) {
    recorder.update(snapshots());
    notify(listeners, change, logger, counters);
    const waiter = settleWaiters.get(change.instance.id);
    if (waiter !== undefined && SETTLED.has(change.instance.state)) {
      settleWaiters.delete(change.instance.id);
      waiter(change.instance.state as SettledState);
    }
  });
  let header = planHeader(options.plan);
  let stopping: Promise<void> | null = null;

  const launchSpecFor = (planned: PlannedInstance, plan: Plan) =>
    buildLaunchSpec(
      planned,
      plan,
      options.simCommand === undefined ? {} : { simCommand: options.simCommand },
    );
  const enlist = (planned: PlannedInstance, plan: Plan): Member => {
    const launch = launchSpecFor(planned, plan);
    const member = { planned, launch, instance: newInstance(planned, launch, plan.host) };
    members.set(planned.id, member);
    identifying.set(planned.id, identifyingArgs(launch));
    return member;
  };
  const launch = (planned: PlannedInstance, plan: Plan): Promise<SettledState> => {
    header = planHeader(plan);
    const member = enlist(planned, plan);
    const settled = new Promise<SettledState>((resolve) => settleWaiters.set(planned.id, resolve));
    member.instance.start();
    return settled;
  };
  const memberOf = (id: string): Member => {
    const member = members.get(id);
    if (member === undefined) throw new Error(`no supervised instance "${id}"`);
    return member;
  };
  for (const planned of options.plan.instances) enlist(planned, options.plan);

  return {
    async start() {
      const leftovers = findLeftovers(pidFile, process.pid, readProcCmdline);
      if (leftovers.length > 0) logger.warn({ leftovers }, formatLeftovers(pidFile, leftovers));
      recorder.update([]);
      logger.info({ instances: members.size, pidFile }, "launching engines");
      for (const member of members.values()) member.instance.start();
      return { leftovers, pidFile };
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all([...members.values()].map((member) => member.instance.stop(options.drain)));
        recorder.remove();
        logger.info("all engines stopped");
      })();
      return stopping;
    },
    instances: snapshots,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    counters: () => ({ ...counters }),
    plan: () => ({ ...header, instances: [...members.values()].map((member) => member.planned) }),
    launchSpec: (id) => members.get(id)?.launch,
    launchSpecFor,
    async add(planned, plan) {
      if (members.has(planned.id)) throw new Error(`instance "${planned.id}" runs already; replace it`);
      if (stopping !== null) return "stopped";
      return launch(planned, plan);
    },
    async replace(planned, plan) {
      const old = memberOf(planned.id);
      if (stopping !== null) return "stopped";
      await old.instance.stop(options.drain);
      // stop() may have begun while the old process drained; it must not find a new one it did not stop.
      if (stopping !== null) return "stopped";
      return launch(planned, plan);
    },
    async remove(id) {
      const old = memberOf(id);
      await old.instance.stop(options.drain);
      if (members.get(id) !== old) return;
      members.delete(id);
      identifying.delete(id);
      if (stopping === null) recorder.update(snapshots());
    },
  };
}

function planHeader(plan: Plan): Omit<Plan, "instances"> {
  const { instances: _instances, ...header } = plan;
  return header;
}

/** From `--host` on: the flags llmux generated, unique per instance, whatever interpreter runs the command. */
function identifyingArgs(launch: LaunchSpec): readonly string[] {
  return launch.argv.slice(launch.argv.indexOf("--host"));
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
