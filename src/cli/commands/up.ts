// `llmux up`: the main job. Loads config, starts the gateway (and, as they land, the engines).
import type { Config } from "../../config/index.ts";
import { createGatewayApp, startServer } from "../../gateway/index.ts";
import { createLogger, flushLogger, type Logger } from "../../telemetry/index.ts";
import { commonSets, type OptionSpecs, type ParsedArgs, parseCommandArgs, UsageError } from "../args.ts";
import { buildInfo } from "../build-info.ts";
import { loadConfigForCommand } from "../config-loading.ts";
import { ensureFetchConcurrency } from "../fetch-concurrency.ts";
import { notLanded } from "../not-landed.ts";
import { commandUsage } from "../usage.ts";

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  engine: { type: "string" },
  model: { type: "string" },
  replicas: { type: "string" },
  "dry-run": { type: "boolean" },
} as const satisfies OptionSpecs;

export const HELP = commandUsage(
  "Usage: llmux up [flags]\n\nLaunches the engines and the gateway. Without -c it runs the embedded default config:\na local node of four engines (simulated when no GPU or vLLM is found).",
  `Flags:
      --host <addr>          gateway listen address (default 127.0.0.1)
      --port <port>          gateway listen port (default 8000)
      --engine <vllm|sim>    engine to launch (default: auto)
      --model <model>        serve this model (quick mode: one replica per GPU)
      --replicas <n>         number of replicas for --model
      --dry-run              print the launch plan and exit`,
);

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS);
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values["dry-run"] === true) return notLanded("up", "--dry-run (the launch plan)", 8);
  const loaded = loadConfigForCommand("up", values, [...commonSets(values), ...upSets(values)]);
  if (typeof loaded === "number") return loaded;
  ensureFetchConcurrency();
  const { config, isEmbeddedDefault } = loaded;
  const info = buildInfo();
  const logger = createLogger({
    level: config.telemetry.log_level,
    format: config.telemetry.log_format,
    base: { svc: "llmux", version: info.version },
  });
  if (isEmbeddedDefault) process.stderr.write(defaultBanner(config));
  return serveUntilSignal(config, logger, info.version);
}

/** Starts the gateway and blocks until SIGTERM or SIGINT, then drains and returns the exit code. */
export async function serveUntilSignal(config: Config, logger: Logger, version: string): Promise<number> {
  const app = createGatewayApp({ version });
  let server: ReturnType<typeof startServer>;
  try {
    server = startServer(app, {
      host: config.gateway.host,
      port: config.gateway.port,
      maxBodyBytes: config.gateway.max_body_bytes,
    });
  } catch (cause) {
    logger.fatal({ err: cause, host: config.gateway.host, port: config.gateway.port }, "cannot listen");
    await flushLogger(logger);
    return 1;
  }
  if (
    config.gateway.host !== "127.0.0.1" &&
    config.gateway.host !== "localhost" &&
    config.auth.api_keys.length === 0
  ) {
    logger.warn({ host: config.gateway.host }, "gateway listens beyond loopback with no API keys configured");
  }
  logger.info({ url: server.url, engines: config.engines.length }, "gateway listening");
  if (config.engines.length > 0) {
    logger.warn("launching engines arrives with the supervisor (issue #8); serving the gateway only");
  }
  const signal = await waitForStopSignal();
  logger.info({ signal }, "stopping");
  await server.stop(config.gateway.drain_timeout_ms);
  logger.info("stopped");
  await flushLogger(logger);
  return 0;
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) process.exit(130); // a second signal means "now"
      received = true;
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

function upSets(values: ParsedArgs["values"]): string[] {
  const sets: string[] = [];
  if (typeof values.host === "string") sets.push(`gateway.host=${JSON.stringify(values.host)}`);
  if (typeof values.port === "string") sets.push(`gateway.port=${integerFlag("--port", values.port)}`);
  if (typeof values.engine === "string") {
    if (values.engine !== "vllm" && values.engine !== "sim") {
      throw new UsageError(`--engine: expected vllm|sim, got "${values.engine}"`);
    }
    sets.push(`supervisor.engine=${values.engine}`);
  }
  if (typeof values.model === "string") {
    const replicas = typeof values.replicas === "string" ? integerFlag("--replicas", values.replicas) : 1;
    sets.push(`engines=${JSON.stringify([{ model: values.model, replicas }])}`);
  } else if (typeof values.replicas === "string") {
    throw new UsageError("--replicas needs --model");
  }
  return sets;
}

function integerFlag(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: expected a whole number, got "${value}"`);
  return Number(value);
}

function defaultBanner(config: Config): string {
  const engines = config.engines.map((e) => `${e.replicas} x ${e.model}`).join(", ");
  return [
    "",
    "  llmux is running its embedded default config.",
    `  Engines: ${engines} (simulated when no GPU or vLLM is found on this host).`,
    `  OpenAI API: http://${config.gateway.host}:${config.gateway.port}/v1`,
    "  To serve real models with vLLM: llmux up --engine vllm --model <hf-model-id>",
    "  or write a config (see config.yaml.example) and run: llmux up -c config.yaml",
    "",
    "",
  ].join("\n");
}
