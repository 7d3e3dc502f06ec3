// Config reload for a running node (SIGHUP, POST /admin/reload): validates the new config and the
// new scheduler first, then swaps in what can change live; everything else is reported as needing
// a restart. On any problem the running config is kept and every problem is reported.
import { type Config, ConfigError, type ConfigProblem } from "../config/index.ts";
import {
  type Authenticator,
  type ConfiguredModel,
  createAuthenticator,
  type ReloadOutcome,
} from "../gateway/index.ts";
import type { EndpointPool } from "../pool/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import type { Logger } from "../telemetry/index.ts";
import { configuredModels, staticDescriptor } from "./node-descriptors.ts";
import { buildScheduler } from "./scheduler-setup.ts";

/** What a reload replaces; the gateway reads these per request through context getters. */
export interface LiveSettings {
  config: Config;
  authenticator: Authenticator;
  models: ConfiguredModel[];
  scheduler: Scheduler;
}

/** Settings read once at start: a reload that changes them logs that they need a restart. */
const RESTART_ONLY: readonly (readonly [string, (config: Config) => unknown])[] = [
  ["engines", (c) => c.engines],
  ["supervisor", (c) => c.supervisor],
  ["scheduler.metricsIntervalMs", (c) => c.scheduler.metricsIntervalMs],
  ["flow", (c) => c.flow],
  ["pd", (c) => c.pd],
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

export interface ReloadTarget {
  readonly live: LiveSettings;
  readonly pool: EndpointPool;
  readonly now: () => number;
  readonly logger: Logger;
  /** Loads the config again from the same file, env and --set flags; throws ConfigError. */
  readonly load: (() => Config) | undefined;
}

/** Loads, validates and applies the config; never throws. */
export function reloadConfig(target: ReloadTarget): ReloadOutcome {
  const { logger } = target;
  if (target.load === undefined) {
    const problems = [
      { path: "(config)", message: "this node runs the embedded default: no config file to reload" },
    ];
    logger.warn("reload ignored: this node has no config file to reload");
    return { outcome: "rejected", needRestart: [], problems };
  }
  try {
    const next = target.load();
    const needRestart = apply(target, next);
    if (needRestart.length === 0) logger.info("config reloaded");
    else
      logger.warn(
        { needRestart },
        `config reloaded; changes to ${needRestart.join(", ")} apply after a restart`,
      );
    return { outcome: "applied", needRestart, problems: [] };
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems.map(withoutSecret) : [];
    const report = problems.map((p) => `\n  ${p.path}: ${p.message}`).join("");
    logger.error(
      { problems, err: error instanceof ConfigError ? undefined : error },
      `config reload failed, keeping the running config:${report}`,
    );
    return { outcome: "rejected", needRestart: [], problems };
  }
}

/** Config problems quote the offending value; for a key that value is a secret, even when invalid. */
function withoutSecret(problem: ConfigProblem): ConfigProblem {
  if (!/^auth\.(admin_key|api_keys\[\d+\]\.(key|key_sha256))$/.test(problem.path)) return problem;
  return { path: problem.path, message: "invalid (the value is a secret and not shown)" };
}

/** Swaps in `next` except restart-only settings; returns the restart-only settings that changed. */
function apply(target: ReloadTarget, next: Config): string[] {
  const { live, pool } = target;
  const old = live.config;
  const scheduler = Bun.deepEquals(old.scheduler, next.scheduler)
    ? live.scheduler
    : newScheduler(next, target.now);
  const needRestart = RESTART_ONLY.filter(([, read]) => !Bun.deepEquals(read(old), read(next))).map(
    ([path]) => path,
  );
  const { engines, supervisor, flow, pd, kvcache } = old;
  const { host, port, endpoints_file } = old.gateway;
  const { log_format, tracing } = old.telemetry;
  const effective: Config = Object.freeze({
    ...next,
    engines,
    supervisor,
    flow,
    pd,
    kvcache,
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
  return needRestart;
}

/** A new scheduler for changed `scheduler:` settings; invalid plugin config rejects the whole reload. */
function newScheduler(config: Config, now: () => number): Scheduler {
  const built = buildScheduler(config.scheduler, now);
  if (!built.ok) throw new ConfigError("config_invalid", "scheduler", built.problems);
  return built.scheduler;
}
