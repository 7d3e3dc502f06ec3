// Composition root of a serving node: the endpoint pool, the supervisor (for `up`), static
// endpoints, the scheduler and the gateway, plus the ordered shutdown on SIGTERM/SIGINT.
import type { Config, StaticEndpointConfig } from "../config/index.ts";
import {
  type ConfiguredModel,
  createAuthenticator,
  createGatewayApp,
  createGatewayMetrics,
  type GatewayContext,
  type ReadinessReport,
  startServer,
} from "../gateway/index.ts";
import { type EndpointDescriptor, EndpointPool, startHealthChecker } from "../pool/index.ts";
import { createRoundRobinScheduler } from "../scheduler/index.ts";
import type { InstanceSnapshot, Plan, Supervisor } from "../supervisor/index.ts";
import { createSupervisor } from "../supervisor/index.ts";
import { createMetricsRegistry, flushLogger, type Logger } from "../telemetry/index.ts";

export interface NodeOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  /** The launch plan for `up`; null for `gateway` (remote engines only). */
  readonly plan: Plan | null;
}

/** Runs the node until SIGTERM or SIGINT, then drains and stops everything; returns the exit code. */
export async function runNode(options: NodeOptions): Promise<number> {
  const { config, logger } = options;
  const now = () => performance.timeOrigin + performance.now();
  const pool = new EndpointPool({ now });
  const registry = createMetricsRegistry();
  let isShuttingDown = false;
  let supervisor: Supervisor | null = null;
  const ctx: GatewayContext = {
    gateway: config.gateway,
    auth: config.auth,
    pool,
    scheduler: createRoundRobinScheduler(),
    authenticator: createAuthenticator(config.auth),
    logger,
    registry,
    metrics: createGatewayMetrics(registry, () => pool.totalInFlight()),
    version: options.version,
    now,
    isAccessLogOn: config.telemetry.access_log,
    readiness: () => readiness(config, pool),
    configuredModels: configuredModels(config),
    node: { instances: () => supervisor?.instances() ?? [] },
    isShuttingDown: () => isShuttingDown,
  };
  for (const endpoint of config.gateway.endpoints) pool.upsert(staticDescriptor(endpoint));
  const stopHealth = startHealthChecker({
    pool,
    logger,
    shouldCheck: (id) =>
      pool.snapshot().find((s) => s.descriptor.id === id)?.descriptor.source !== "supervisor",
  });

  let server: ReturnType<typeof startServer>;
  try {
    server = startServer(createGatewayApp(ctx), {
      host: config.gateway.host,
      port: config.gateway.port,
      maxBodyBytes: config.gateway.max_body_bytes,
    });
  } catch (cause) {
    logger.fatal({ err: cause, host: config.gateway.host, port: config.gateway.port }, "cannot listen");
    stopHealth();
    await flushLogger(logger);
    return 1;
  }
  warnIfOpen(config, logger);
  logger.info({ url: server.url, engines: options.plan?.instances.length ?? 0 }, "gateway listening");
  supervisor = options.plan === null ? null : await startSupervisor(options, pool);

  const signal = await waitForStopSignal();
  logger.info({ signal }, "stopping: draining requests");
  isShuttingDown = true;
  await server.stop(config.gateway.drain_timeout_ms);
  await supervisor?.stop();
  stopHealth();
  logger.info("stopped");
  await flushLogger(logger);
  return 0;
}

async function startSupervisor(options: NodeOptions, pool: EndpointPool): Promise<Supervisor> {
  const plan = options.plan as Plan;
  const drainTimeoutMs = options.config.gateway.drain_timeout_ms;
  const supervisor = createSupervisor({
    plan,
    config: options.config.supervisor,
    logger: options.logger,
    drain: async function drainInstance(instance) {
      const deadline = Date.now() + drainTimeoutMs;
      while (pool.inFlightLoad(instance.id).requests > 0 && Date.now() < deadline) await Bun.sleep(50);
    },
  });
  supervisor.onChange(function syncPool(change) {
    if (change.instance.state === "ready") pool.upsert(supervisedDescriptor(change.instance, plan));
    else pool.remove(change.instance.id);
  });
  await supervisor.start();
  return supervisor;
}

function supervisedDescriptor(instance: InstanceSnapshot, plan: Plan): EndpointDescriptor {
  const planned = plan.instances.find((p) => p.id === instance.id);
  const model = instance.servedModelNames[0] ?? instance.model;
  return {
    id: instance.id,
    baseUrl: `http://${instance.host}:${instance.port}`,
    models: instance.servedModelNames,
    loraAdapters: planned?.spec.lora_modules.map((l) => l.name) ?? [],
    role: instance.role,
    labels: {},
    kvEvents: {
      endpoint: `tcp://${instance.host}:${instance.kvEventsPort}`,
      replayEndpoint: `tcp://${instance.host}:${instance.replayPort}`,
      topic: `kv@${instance.id}@${model}`,
    },
    source: "supervisor",
  };
}

function staticDescriptor(endpoint: StaticEndpointConfig): EndpointDescriptor {
  const url = new URL(endpoint.url);
  return {
    id: endpoint.id ?? url.host,
    baseUrl: endpoint.url.replace(/\/+$/, ""),
    models: endpoint.models,
    loraAdapters: [],
    role: endpoint.role,
    labels: endpoint.labels,
    kvEvents:
      endpoint.kv_events === undefined
        ? null
        : {
            endpoint: endpoint.kv_events.endpoint,
            replayEndpoint: endpoint.kv_events.replay_endpoint ?? null,
            topic: endpoint.kv_events.topic,
          },
    source: "static",
  };
}

function configuredModels(config: Config): ConfiguredModel[] {
  const models: ConfiguredModel[] = [];
  for (const engine of config.engines) {
    const base = engine.served_model_name?.[0] ?? engine.model;
    for (const name of engine.served_model_name ?? [engine.model]) models.push({ id: name, parent: null });
    for (const lora of engine.lora_modules) models.push({ id: lora.name, parent: base });
  }
  for (const endpoint of config.gateway.endpoints)
    for (const model of endpoint.models) models.push({ id: model, parent: null });
  return models;
}

/** Every model named in config must have at least one endpoint that can take requests. */
function readiness(config: Config, pool: EndpointPool): ReadinessReport {
  const configured = new Set<string>();
  for (const engine of config.engines) configured.add(engine.served_model_name?.[0] ?? engine.model);
  for (const endpoint of config.gateway.endpoints) for (const model of endpoint.models) configured.add(model);
  const models = [...configured].map((model) => {
    const readyEndpoints = pool.candidates(model).length;
    return { model, readyEndpoints, detail: readyEndpoints > 0 ? "ok" : "no ready engine serves this model" };
  });
  return { isReady: models.length > 0 && models.every((m) => m.readyEndpoints > 0), models };
}

function warnIfOpen(config: Config, logger: Logger): void {
  const host = config.gateway.host;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1" && config.auth.api_keys.length === 0) {
    logger.warn({ host }, "gateway listens beyond loopback with no API keys configured");
  }
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let isReceived = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (isReceived) process.exit(130); // a second signal means "now"
      isReceived = true;
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
