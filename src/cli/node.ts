// Composition root of a serving node: the endpoint pool, the supervisor (for `up`), static endpoints,
// the scheduler and the gateway; systemd readiness and watchdog, SIGHUP reload (with engine rolls)
// and the ordered shutdown.
import type { Config } from "../config/index.ts";
import {
  createGatewayApp,
  createGatewayMetrics,
  type GatewayContext,
  GatewayStats,
  type ReloadOutcome,
  startServer,
} from "../gateway/index.ts";
import { EndpointPool, startHealthChecker, startMetricsScraper } from "../pool/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import type {
  EngineStatusReporter,
  InstanceSnapshot,
  Plan,
  Supervisor,
  SystemdNotifier,
} from "../supervisor/index.ts";
import {
  createEngineStatusReporter,
  createSupervisor,
  createSystemdNotifier,
  SYSTEMD_NOTIFY_ENV,
  stopBudgetS,
} from "../supervisor/index.ts";
import {
  Counter,
  createMetricsRegistry,
  createTracing,
  flushLogger,
  type Logger,
  resolveTracingSettings,
  type Tracing,
} from "../telemetry/index.ts";
import { type FlowSetup, startFlowControl } from "./flow-setup.ts";
import { readiness, staticDescriptor, supervisedDescriptor } from "./node-descriptors.ts";
import { registerNodeMetrics } from "./node-metrics.ts";
import {
  type EngineReloadTarget,
  engineReloadTarget,
  type LiveSettings,
  liveSettings,
  reloadConfig,
} from "./node-reload.ts";
import type { PredictorSetup } from "./predictor-setup.ts";
import type { PrefixCache } from "./prefix-cache-setup.ts";
import { waitForStopSignal } from "./stop-signal.ts";

/** Per-scrape timeout: an engine slower than this to render /metrics counts as failing. */
const SCRAPE_TIMEOUT_MS = 1000;

export interface NodeOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  /** The launch plan for `up`; null for `gateway` (remote engines only). */
  readonly plan: Plan | null;
  /** Built from `scheduler:` by the command, so config problems are reported before anything starts. */
  readonly scheduler: Scheduler;
  /** The latency predictor the scheduler was built with (cli/predictor-setup.ts); runNode starts and closes it. */
  readonly predictor: PredictorSetup;
  /** KV-event prefix index and request keys (cli/prefix-cache-setup.ts); null when kvcache.events is off. */
  readonly prefixCache?: PrefixCache | null;
  /** Loads the config again from the same file, env and --set flags (on SIGHUP); throws ConfigError. */
  readonly reloadConfig?: () => Config;
}

/** Mutable node state the gateway context and the signal handlers read. */
interface NodeRuntime {
  readonly live: LiveSettings;
  readonly pool: EndpointPool;
  readonly now: () => number;
  supervisor: Supervisor | null;
  /** Rolls engine changes on reload; set with the supervisor. */
  engines: EngineReloadTarget | null;
  shutdownStartedMs: number | null;
}

/** Runs the node until SIGTERM or SIGINT, then drains and stops everything; returns the exit code. */
export async function runNode(options: NodeOptions): Promise<number> {
  const { logger } = options;
  const now = () => performance.timeOrigin + performance.now();
  const node: NodeRuntime = {
    live: liveSettings(options.config, options.scheduler),
    pool: new EndpointPool({ now }),
    now,
    supervisor: null,
    engines: null,
    shutdownStartedMs: null,
  };
  const { live, pool } = node;
  const registry = createMetricsRegistry();
  const tracingSettings = resolveTracingSettings(options.config.telemetry.tracing, process.env);
  if (!tracingSettings.ok) {
    logger.fatal({ problems: tracingSettings.problems }, "invalid tracing settings");
    await flushLogger(logger);
    return 1;
  }
  const flow = await startFlowControl({
    config: options.config,
    pool,
    registry,
    logger,
    now,
    estimateLatency: options.predictor.estimateLatency,
  });
  if (flow === null) return flushLogger(logger).then(() => 2);
  const tracing = createTracing(tracingSettings.settings, { logger, registry, version: options.version });
  options.predictor.start({ registry, logger, config: () => live.config });
  const counters = nodeCounters(registry);
  const metricSources = { pool, now, scheduler: () => live.scheduler, supervisor: () => node.supervisor };
  registerNodeMetrics(registry, metricSources);
  const notifier = createSystemdNotifier(process.env, {
    onError(error, message) {
      counters.notifyErrors.inc();
      logger.warn({ err: error, notification: message.split("\n")[0] }, "sd_notify failed");
    },
  });
  // sd_notify(3) unset_environment: engines must not talk to systemd as if they were llmux.
  for (const key of SYSTEMD_NOTIFY_ENV) delete process.env[key];
  for (const endpoint of live.config.gateway.endpoints) pool.upsert(staticDescriptor(endpoint));
  const stopHealth = startHealthChecker({
    pool,
    logger,
    shouldCheck: (id) =>
      pool.snapshot().find((s) => s.descriptor.id === id)?.descriptor.source !== "supervisor",
  });
  const engineStatus = createEngineStatusReporter(
    notifier,
    options.config.supervisor.readiness_timeout_s * 1000,
  );
  const reload = (): ReloadOutcome => reloadNode(options, node, counters.reloads, notifier, engineStatus);
  process.on("SIGHUP", function onHangup() {
    if (node.shutdownStartedMs !== null) logger.warn("SIGHUP ignored: the node is stopping");
    else reload();
  });
  // The scheduler forgets endpoints that left (prefix index, LRU state) and sees metrics as scraped.
  pool.onChange(function retainLiveEndpoints() {
    live.scheduler.retainEndpoints?.(new Set(pool.snapshot().map((s) => s.descriptor.id)));
  });
  const scraper = startMetricsScraper({
    pool,
    intervalMs: live.config.scheduler.metricsIntervalMs,
    timeoutMs: SCRAPE_TIMEOUT_MS,
    now,
    logger,
  });

  let server: ReturnType<typeof startServer>;
  try {
    server = startServer(createGatewayApp(gatewayContext(options, node, registry, reload, tracing, flow)), {
      host: live.config.gateway.host,
      port: live.config.gateway.port,
      maxBodyBytes: live.config.gateway.max_body_bytes,
    });
  } catch (cause) {
    logger.fatal(
      { err: cause, host: live.config.gateway.host, port: live.config.gateway.port },
      "cannot listen",
    );
    stopHealth();
    scraper.stop();
    engineStatus.stop();
    await flushLogger(logger);
    return 1;
  }
  warnIfOpen(live.config, logger);
  options.prefixCache?.start({ pool, registry, logger });
  logger.info({ url: server.url, engines: options.plan?.instances.length ?? 0 }, "gateway listening");
  // Healthy unless a shutdown overran its budget; a wedged event loop misses the pings by itself.
  const stopWatchdog = notifier.startWatchdog(
    () => node.shutdownStartedMs === null || now() - node.shutdownStartedMs < stopBudgetMs(live.config),
  );
  if (options.plan === null) engineStatus.ready(`gateway listening on ${server.url}`);
  else {
    node.supervisor = await startSupervisor(options, node, engineStatus.update);
    node.engines = engineReloadTarget(node.supervisor, logger, registry);
  }

  const signal = await waitForStopSignal();
  node.shutdownStartedMs = now();
  flow.close(); // queued requests get 503 flow_shutting_down now, not at the end of the drain
  notifier.stopping(`stopping on ${signal}: draining requests`);
  logger.info({ signal }, "stopping: draining requests");
  await server.stop(live.config.gateway.drain_timeout_ms);
  await node.supervisor?.stop();
  await tracing.shutdown();
  options.predictor.close();
  await options.prefixCache?.stop();
  stopHealth();
  scraper.stop();
  engineStatus.stop();
  stopWatchdog();
  logger.info("stopped");
  await flushLogger(logger);
  return 0;
}

/** Getters for what SIGHUP may replace, so routes read the live value on every request. */
function gatewayContext(
  options: NodeOptions,
  node: NodeRuntime,
  registry: ReturnType<typeof createMetricsRegistry>,
  reload: () => ReloadOutcome,
  tracing: Tracing,
  flow: FlowSetup,
): GatewayContext {
  const { live, pool } = node;
  return {
    get gateway() {
      return live.config.gateway;
    },
    get auth() {
      return live.config.auth;
    },
    get pd() {
      return live.config.pd;
    },
    pool,
    get scheduler() {
      return live.scheduler;
    },
    get authenticator() {
      return live.authenticator;
    },
    logger: options.logger,
    registry,
    metrics: createGatewayMetrics(registry, () => pool.totalInFlight()),
    version: options.version,
    now: node.now,
    get isAccessLogOn() {
      return live.config.telemetry.access_log;
    },
    readiness: () => readiness(live.config, pool),
    get configuredModels() {
      return live.models;
    },
    node: { instances: () => node.supervisor?.instances() ?? [], reload },
    isShuttingDown: () => node.shutdownStartedMs !== null,
    stats: new GatewayStats(),
    tracing,
    flowControl: flow.flowControl,
    onRequestDone: options.predictor.onRequestDone,
    prefixKeys: options.prefixCache?.prefixKeys,
  };
}

function stopBudgetMs(config: Config): number {
  return stopBudgetS(config.gateway.drain_timeout_ms / 1000, config.supervisor.stop_grace_s) * 1000;
}

async function startSupervisor(
  options: NodeOptions,
  node: NodeRuntime,
  onChange: (instances: readonly InstanceSnapshot[]) => void,
): Promise<Supervisor> {
  const { pool, live } = node;
  const supervisor = createSupervisor({
    plan: options.plan as Plan,
    config: options.config.supervisor,
    logger: options.logger,
    drain: async function drainInstance(instance) {
      const deadline = Date.now() + live.config.gateway.drain_timeout_ms;
      while (pool.inFlightLoad(instance.id).requests > 0 && Date.now() < deadline) await Bun.sleep(50);
    },
  });
  supervisor.onChange(function syncPool(change) {
    // The supervisor's plan, not the start plan: a roll adds and relaunches instances.
    if (change.instance.state === "ready")
      pool.upsert(supervisedDescriptor(change.instance, supervisor.plan()));
    else pool.remove(change.instance.id);
    onChange(supervisor.instances());
  });
  await supervisor.start();
  onChange(supervisor.instances());
  return supervisor;
}

/** SIGHUP or POST /admin/reload: reloads through node-reload, telling systemd while it runs. */
function reloadNode(
  options: NodeOptions,
  node: NodeRuntime,
  reloads: Counter<"outcome">,
  notifier: SystemdNotifier,
  engineStatus: EngineStatusReporter,
): ReloadOutcome {
  // Before READY=1 systemd is still starting the unit; a reload there is not a reload to report.
  const isReported = engineStatus.isReadySent();
  if (isReported) notifier.reloading();
  try {
    const outcome = reloadConfig({
      live: node.live,
      pool: node.pool,
      now: node.now,
      logger: options.logger,
      load: options.reloadConfig,
      engines: node.engines ?? undefined,
      latencyPredictor: options.predictor.latencyPredictor,
      prefixIndex: options.prefixCache?.index,
    });
    reloads.inc({ outcome: outcome.outcome });
    return outcome;
  } finally {
    if (isReported) notifier.ready(engineStatus.status());
  }
}

function nodeCounters(registry: ReturnType<typeof createMetricsRegistry>) {
  return {
    reloads: new Counter({
      name: "llmux_config_reloads_total",
      help: "Config reloads (SIGHUP, POST /admin/reload), by outcome (applied, rejected).",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    notifyErrors: new Counter({
      name: "llmux_supervisor_sd_notify_errors_total",
      help: "Notifications to systemd (sd_notify) that could not be sent.",
      registers: [registry],
    }),
  };
}

function warnIfOpen(config: Config, logger: Logger): void {
  const host = config.gateway.host;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1" && config.auth.api_keys.length === 0) {
    logger.warn({ host }, "gateway listens beyond loopback with no API keys configured");
  }
}
