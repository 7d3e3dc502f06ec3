// Config reload for a running node (SIGHUP, POST /admin/reload): validates the new config, the new
// scheduler and the new engine placement first, then swaps in what can change live and rolls changed
// engines in the background; everything else is reported as needing a restart. On any problem the
// running config is kept and every problem is reported.
import { type Config, ConfigError, type ConfigProblem, formatConfigProblems } from "../config/index.ts";
import {
  type Authenticator,
  type ConfiguredModel,
  createAuthenticator,
  type ReloadOutcome,
} from "../gateway/index.ts";
import type { EndpointPool } from "../pool/index.ts";
import type { LatencyPredictorReader } from "../predictor/index.ts";
import type { PrefixIndexReader, Scheduler } from "../scheduler/index.ts";
import {
  createEngineRoller,
  type EngineRoll,
  type EngineRoller,
  type RollOutcome,
  type Supervisor,
} from "../supervisor/index.ts";
import { Counter, type Logger, type MetricsRegistry } from "../telemetry/index.ts";
import { configuredModels, staticDescriptor } from "./node-descriptors.ts";
import { buildScheduler } from "./scheduler-setup.ts";

/** What a reload replaces; the gateway reads these per request through context getters. */
export interface LiveSettings {
  config: Config;
  authenticator: Authenticator;
  models: ConfiguredModel[];
  scheduler: Scheduler;
}

type Problem = ReloadOutcome["problems"][number];

/**
 * Supervisor settings read once at start. The address and port bases fix every running engine's
 * ports (a shifted range would need engines to swap ports, which no one-at-a-time roll can do),
 * state_dir fixes the pid file, and the lifecycle timings live in each running instance and in the
 * systemd stop budget. The rest of `supervisor:` (engine kind, commands, sim_args, python_hash_seed)
 * and all of `engines:` reach the engines through a roll.
 */
const SUPERVISOR_RESTART_ONLY = [
  "host",
  "base_port",
  "kv_events_base_port",
  "nixl_side_channel_base_port",
  "state_dir",
  "readiness_timeout_s",
  "stop_grace_s",
  "max_restarts",
  "restart_window_s",
] as const satisfies readonly (keyof Config["supervisor"])[];

/** Settings read once at start: a reload that changes them logs that they need a restart. */
const RESTART_ONLY: readonly (readonly [string, (config: Config) => unknown])[] = [
  ...SUPERVISOR_RESTART_ONLY.map((key) => [`supervisor.${key}`, (c: Config) => c.supervisor[key]] as const),
  ["scheduler.metricsIntervalMs", (c) => c.scheduler.metricsIntervalMs],
  ["flow", (c) => c.flow],
  ["pd", (c) => c.pd],
  // The model is built once; predictor.mode is read per request.
  ["predictor.family", (c) => c.predictor.family],
  ["predictor.min_samples_for_training", (c) => c.predictor.min_samples_for_training],
  ["predictor.retrain_interval_ms", (c) => c.predictor.retrain_interval_ms],
  ["kvcache", (c) => c.kvcache],
  ["gateway.host", (c) => c.gateway.host],
  ["gateway.port", (c) => c.gateway.port],
  ["gateway.endpoints_file", (c) => c.gateway.endpoints_file],
  ["telemetry.log_format", (c) => c.telemetry.log_format],
  ["telemetry.tracing", (c) => c.telemetry.tracing],
];

export function liveSettings(config: Config, scheduler: Scheduler): LiveSettings {
  return {
    config,
    authenticator: createAuthenticator(config.auth),
    models: configuredModels(config),
    scheduler,
  };
}

/** The supervised engines a reload rolls; absent for `llmux gateway`, which has none of its own. */
export interface EngineReloadTarget {
  readonly roller: EngineRoller;
  /** Told how each background roll ended (to count it); "error" when the roll threw, a bug. */
  readonly onRollEnd: (outcome: RollOutcome | "error") => void;
}

/** The engines target of a supervising node: a roller over `supervisor`, each roll counted by outcome. */
export function engineReloadTarget(
  supervisor: Supervisor,
  logger: Logger,
  registry: MetricsRegistry,
): EngineReloadTarget {
  const rolls = new Counter({
    name: "llmux_supervisor_engine_rolls_total",
    help: "Engine rolls after a reload, by outcome (completed, engine_failed, ports_busy, interrupted, error).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  return {
    roller: createEngineRoller(supervisor, { logger }),
    onRollEnd: (outcome) => rolls.inc({ outcome }),
  };
}

export interface ReloadTarget {
  readonly live: LiveSettings;
  readonly pool: EndpointPool;
  readonly now: () => number;
  readonly logger: Logger;
  /** Loads the config again from the same file, env and --set flags; throws ConfigError. */
  readonly load: (() => Config) | undefined;
  readonly engines?: EngineReloadTarget;
  /** The node's latency predictor, handed to a rebuilt scheduler (it keeps what it learned). */
  readonly latencyPredictor?: LatencyPredictorReader;
  /** The node's KV-event prefix index, handed to a rebuilt scheduler (the index outlives it). */
  readonly prefixIndex?: PrefixIndexReader;
}

type Applied =
  | { readonly ok: true; readonly needRestart: string[]; readonly roll: EngineRoll | null }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Loads, validates and applies the config; never throws. Changed engines roll in the background
 * (progress is logged) and the outcome returns at once. A reload that changes the engines while a
 * roll runs is rejected: the roll's steps were ordered for one target, and the running roll is
 * never cut short, so no engine is left half-rolled by a second reload.
 */
export function reloadConfig(target: ReloadTarget): ReloadOutcome {
  const { logger } = target;
  if (target.load === undefined) {
    const problems = [
      { path: "(config)", message: "this node runs the embedded default: no config file to reload" },
    ];
    logger.warn("reload ignored: this node has no config file to reload");
    return { outcome: "rejected", needRestart: [], problems };
  }
  let applied: Applied;
  try {
    applied = apply(target, target.load());
  } catch (error) {
    const isConfigError = error instanceof ConfigError;
    return rejected(
      logger,
      isConfigError ? error.problems.map(withoutSecret) : [],
      isConfigError ? null : error,
    );
  }
  if (!applied.ok) return rejected(logger, applied.problems, null);
  const { needRestart, roll } = applied;
  const rolling =
    roll === null ? "" : `; rolling the engines in the background (${roll.steps.length} step(s))`;
  if (needRestart.length === 0) logger.info(`config reloaded${rolling}`);
  else
    logger.warn(
      { needRestart },
      `config reloaded${rolling}; changes to ${needRestart.join(", ")} apply after a restart`,
    );
  if (roll !== null && target.engines !== undefined) startRoll(target.engines, roll, logger);
  return { outcome: "applied", needRestart, problems: [] };
}

function rejected(logger: Logger, problems: readonly Problem[], error: unknown): ReloadOutcome {
  const report = problems.length === 0 ? "" : `\n${formatConfigProblems(problems)}`;
  logger.error(
    { problems, err: error ?? undefined },
    `config reload failed, keeping the running config:${report}`,
  );
  return { outcome: "rejected", needRestart: [], problems };
}

/** Config problems quote the offending value; for a key that value is a secret, even when invalid. */
function withoutSecret(problem: ConfigProblem): ConfigProblem {
  if (!/^auth\.(admin_key|api_keys\[\d+\]\.(key|key_sha256))$/.test(problem.path)) return problem;
  return { path: problem.path, message: "invalid (the value is a secret and not shown)" };
}

/** Swaps in `next` except restart-only settings; plans the engine roll (started by the caller). */
function apply(target: ReloadTarget, next: Config): Applied {
  const { live, pool } = target;
  const old = live.config;
  const scheduler = Bun.deepEquals(old.scheduler, next.scheduler)
    ? live.scheduler
    : newScheduler(next, target.now, target.latencyPredictor, target.prefixIndex);
  const needRestart = restartOnlyChanges(old, next, target.engines !== undefined);
  const supervisor =
    target.engines === undefined ? old.supervisor : liveSupervisor(old.supervisor, next.supervisor);
  const engines = target.engines === undefined ? old.engines : next.engines;
  const planned =
    target.engines === undefined
      ? ({ ok: true, roll: null } as const)
      : planRoll(target.engines.roller, old, { engines, supervisor });
  if (!planned.ok) return planned;
  const { flow, pd, kvcache } = old;
  const { host, port, endpoints_file } = old.gateway;
  const { log_format, tracing } = old.telemetry;
  const effective: Config = Object.freeze({
    ...next,
    engines,
    supervisor,
    flow,
    pd,
    kvcache,
    predictor: Object.freeze({ ...old.predictor, mode: next.predictor.mode }),
    scheduler: Object.freeze({ ...next.scheduler, metricsIntervalMs: old.scheduler.metricsIntervalMs }),
    gateway: Object.freeze({ ...next.gateway, host, port, endpoints_file }),
    telemetry: Object.freeze({ ...next.telemetry, log_format, tracing }),
  });
  const kept = new Set(effective.gateway.endpoints.map((e) => staticDescriptor(e).id));
  for (const endpoint of old.gateway.endpoints) {
    const id = staticDescriptor(endpoint).id;
    if (!kept.has(id)) pool.remove(id);
  }
  for (const endpoint of effective.gateway.endpoints) pool.upsert(staticDescriptor(endpoint));
  Object.assign(live, liveSettings(effective, scheduler));
  target.logger.level = effective.telemetry.log_level;
  return { ok: true, needRestart, roll: planned.roll };
}

/** Restart-only paths that changed; without engines of its own a node reports any engine change so. */
function restartOnlyChanges(old: Config, next: Config, hasEngines: boolean): string[] {
  const changed = (read: (config: Config) => unknown) => !Bun.deepEquals(read(old), read(next));
  const paths = RESTART_ONLY.filter(([, read]) => changed(read)).map(([path]) => path);
  if (hasEngines) return paths;
  const outside = paths.filter((path) => !path.startsWith("supervisor."));
  if (changed((c) => c.supervisor)) outside.unshift("supervisor");
  if (changed((c) => c.engines)) outside.unshift("engines");
  return outside;
}

/** `next`'s supervisor settings with the restart-only ones kept as they run. */
function liveSupervisor(old: Config["supervisor"], next: Config["supervisor"]): Config["supervisor"] {
  const kept = Object.fromEntries(SUPERVISOR_RESTART_ONLY.map((key) => [key, old[key]]));
  return Object.freeze({ ...next, ...kept });
}

/**
 * Places the new engines next to the running ones and orders the steps; null when the engines
 * already run as configured. Re-plans an unchanged config when the last roll stopped early, so
 * that a second SIGHUP retries it.
 */
function planRoll(
  roller: EngineRoller,
  old: Config,
  next: Pick<Config, "engines" | "supervisor">,
):
  | { readonly ok: true; readonly roll: EngineRoll | null }
  | { readonly ok: false; readonly problems: Problem[] } {
  const isChanged =
    !Bun.deepEquals(old.engines, next.engines) || !Bun.deepEquals(old.supervisor, next.supervisor);
  if (roller.isRolling()) {
    if (!isChanged) return { ok: true, roll: null };
    const message =
      'an engine roll is still running; reload again once the log says "engine roll finished" or why it stopped';
    return { ok: false, problems: [{ path: "engines", message }] };
  }
  if (!isChanged && !roller.isBehind()) return { ok: true, roll: null };
  const prepared = roller.prepare({
    ...next,
    reservedPorts: [{ port: old.gateway.port, owner: "gateway", path: "gateway.port" }],
  });
  if (!prepared.ok) {
    return {
      ok: false,
      problems: prepared.problems.map((p) => ({ path: p.path, message: `${p.message}; fix: ${p.fix}` })),
    };
  }
  return { ok: true, roll: prepared.roll.steps.length === 0 ? null : prepared.roll };
}

/** Runs the roll in the background: the reload has answered already. */
function startRoll(engines: EngineReloadTarget, roll: EngineRoll, logger: Logger): void {
  engines.roller.run(roll).then(engines.onRollEnd, function onRollError(error: unknown) {
    logger.error({ err: error }, "engine roll failed");
    engines.onRollEnd("error");
  });
}

/** A new scheduler for changed `scheduler:` settings; invalid plugin config rejects the whole reload. */
function newScheduler(
  config: Config,
  now: () => number,
  latencyPredictor: LatencyPredictorReader | undefined,
  prefixIndex: PrefixIndexReader | undefined,
): Scheduler {
  const built = buildScheduler(config.scheduler, now, { latencyPredictor, prefixIndex });
  if (!built.ok) throw new ConfigError("config_invalid", "scheduler", built.problems);
  return built.scheduler;
}
