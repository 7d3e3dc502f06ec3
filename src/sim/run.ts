// The `llmux sim` process: parse the vllm serve command line, build the engines, keep the port closed
// through the startup delay (as vLLM does until its engine is up), serve, and on SIGTERM/SIGINT stop
// listening, abort what is in flight, close the publishers and exit 0.
import { flushLogger, type Logger } from "../telemetry/index.ts";
import { type SimArgs, SimArgsError } from "./cli-args.ts";
import { scheduleCrash } from "./faults.ts";
import { createSimRuntime, type SimRuntime } from "./runtime.ts";

/**
 * Runs the simulator for validated `args` until `stop` settles (the command's SIGTERM/SIGINT, whose
 * handling the caller owns); returns the exit code.
 */
export async function serveSim(
  args: SimArgs,
  logger: Logger,
  stop: Promise<NodeJS.Signals>,
): Promise<number> {
  for (const warning of args.warnings) logger.warn(warning);
  try {
    return await serveUntilStopped(args, logger, stop);
  } catch (error) {
    if (!(error instanceof SimArgsError)) throw error;
    logger.fatal(error.message);
    await flushLogger(logger);
    return 2;
  }
}

async function serveUntilStopped(
  args: SimArgs,
  logger: Logger,
  stop: Promise<NodeJS.Signals>,
): Promise<number> {
  const runtime = await createSimRuntime({ args, logger });
  const { capacity } = runtime;
  for (const note of capacity.notes) logger.warn(note);
  logger.info(
    {
      profile: capacity.profile.name,
      numGpuBlocks: capacity.numGpuBlocks,
      numCpuBlocks: capacity.numCpuBlocks,
      maxModelLen: capacity.maxModelLen,
      dataParallelSize: args.dataParallelSize,
      timeScale: args.sim.timeScale,
      kvEvents: runtime.pool.publishers.map((p) => p?.endpoint ?? null),
      startupDelayMs: Math.round(capacity.startupDelayMs),
    },
    "engines started",
  );
  const early = await raceDelay(capacity.startupDelayMs, stop);
  if (early !== null) return shutDown(runtime, null, logger, early, 0);
  let server: Bun.Server<undefined>;
  try {
    server = listen(runtime, args);
  } catch (error) {
    logger.fatal({ err: error, host: args.host, port: args.port }, "cannot listen");
    await runtime.close();
    await flushLogger(logger);
    return 1;
  }
  if (args.sim.crashAfterS !== null) {
    // Counted from the moment the sim serves, so a crash always follows readiness.
    const afterS = args.sim.crashAfterS;
    scheduleCrash(afterS, function logCrash() {
      logger.fatal({ afterS }, "simulated crash (--sim-crash-after)");
      return flushLogger(logger);
    });
  }
  const url = `http://${formatHost(args.host ?? "0.0.0.0")}:${server.port}`;
  logger.info({ url }, `Starting vLLM server on ${url}`);
  const signal = await stop;
  return shutDown(runtime, server, logger, signal, args.shutdownTimeoutS * 1000);
}

function listen(runtime: SimRuntime, args: SimArgs): Bun.Server<undefined> {
  const app = runtime.app;
  return Bun.serve({
    hostname: args.host ?? "0.0.0.0",
    port: args.port,
    // Bun's development mode answers thrown errors with an HTML page that includes the message.
    development: false,
    // Streams can be quiet for minutes (long prefills, queueing, --sim-stall).
    idleTimeout: 0,
    fetch: (request, bunServer) => app.fetch(request, { server: bunServer }),
  });
}

async function shutDown(
  runtime: SimRuntime,
  server: Bun.Server<undefined> | null,
  logger: Logger,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<number> {
  logger.info({ signal }, "shutting down");
  if (server !== null) {
    // vLLM's --shutdown-timeout: running requests may finish within the grace period, then are aborted.
    const graceful = server.stop(false);
    if (graceMs > 0) await Promise.race([graceful, Bun.sleep(graceMs)]);
    await server.stop(true);
  }
  await runtime.close();
  logger.info("stopped");
  await flushLogger(logger);
  return 0;
}

/** Waits `ms` unless `stop` settles first (then returns its signal); leaves no timer behind. */
async function raceDelay(ms: number, stop: Promise<NodeJS.Signals>): Promise<NodeJS.Signals | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const delay = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  const winner = await Promise.race([delay, stop]);
  clearTimeout(timer);
  return winner;
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
