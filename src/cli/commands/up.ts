// `llmux up`: the main job. Plans the engines (validating everything before launching anything),
// then runs the supervisor, the endpoint pool and the gateway until SIGTERM/SIGINT.
import { type Config, loadConfig } from "../../config/index.ts";
import {
  createPlan,
  formatProblems,
  launcherPrefix,
  type Plan,
  renderDryRun,
  resolveEngineKind,
} from "../../supervisor/index.ts";
import { createLogger } from "../../telemetry/index.ts";
import { commonSets, type OptionSpecs, type ParsedArgs, parseCommandArgs, UsageError } from "../args.ts";
import { buildInfo } from "../build-info.ts";
import { configPath, loadConfigForCommand } from "../config-loading.ts";
import { ensureFetchConcurrency } from "../fetch-concurrency.ts";
import { gpuDiscovery } from "../gpu-discovery.ts";
import { runNode } from "../node.ts";
import { prepareNodeScheduling } from "../node-scheduling.ts";
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
      --model <model>        serve this model (quick mode: one replica per GPU, or one sim)
      --replicas <n>         number of replicas for --model
      --dry-run              print the launch plan and every exact command line, then exit`,
);

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS);
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const sets = [...commonSets(values), ...upSets(values)];
  const first = loadConfigForCommand("up", values, sets);
  if (typeof first === "number") return first;
  const quick = await quickModeSets(values, first.config);
  const loaded = quick.length === 0 ? first : loadConfigForCommand("up", values, [...sets, ...quick]);
  if (typeof loaded === "number") return loaded;
  const { config } = loaded;
  const planned = await createPlan({
    engines: config.engines,
    supervisor: config.supervisor,
    discovery: await gpuDiscovery(config),
    reservedPorts: [{ port: config.gateway.port, owner: "gateway", path: "gateway.port" }],
  });
  if (!planned.ok) {
    process.stderr.write(`llmux up: the engines cannot be launched:\n${formatProblems(planned.problems)}\n`);
    return 2;
  }
  const now = () => performance.timeOrigin + performance.now();
  const scheduling = await prepareNodeScheduling("up", config, planned.plan, now);
  if (scheduling === null) return 2;
  if (values["dry-run"] === true) {
    process.stdout.write(renderDryRun(planned.plan, { launcherPrefix: launcherPrefix() }));
    return 0;
  }
  ensureFetchConcurrency();
  const info = buildInfo();
  const logger = createLogger({
    level: config.telemetry.log_level,
    format: config.telemetry.log_format,
    base: { svc: "llmux", version: info.version },
  });
  if (loaded.isEmbeddedDefault) process.stderr.write(defaultBanner(config, planned.plan));
  const path = configPath(values);
  const allSets = [...sets, ...quick];
  return runNode({
    config,
    logger,
    version: info.version,
    plan: planned.plan,
    ...scheduling,
    ...(path === undefined
      ? {}
      : { reloadConfig: () => loadConfig({ path, sets: allSets, env: process.env }).config }),
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
  if (typeof values.replicas === "string" && typeof values.model !== "string") {
    throw new UsageError("--replicas needs --model");
  }
  return sets;
}

/** Quick mode (`--model M`): one replica per GPU for vLLM, one simulated engine otherwise. */
async function quickModeSets(values: ParsedArgs["values"], config: Config): Promise<string[]> {
  if (typeof values.model !== "string") return [];
  let replicas: number;
  if (typeof values.replicas === "string") {
    replicas = integerFlag("--replicas", values.replicas);
  } else {
    const discovery = await gpuDiscovery(config);
    const vllm = config.supervisor.vllm_command[0] ?? "vllm";
    const kind = resolveEngineKind(
      config.supervisor.engine,
      undefined,
      discovery.gpus.length > 0,
      Bun.which(vllm) !== null,
    );
    replicas = kind === "vllm" ? Math.max(1, discovery.gpus.length) : 1;
  }
  return [`engines=${JSON.stringify([{ model: values.model, replicas }])}`];
}

function integerFlag(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: expected a whole number, got "${value}"`);
  return Number(value);
}

function defaultBanner(config: Config, plan: Plan): string {
  const kinds = new Set(plan.instances.map((i) => i.engine));
  const engines = config.engines.map((e) => `${e.replicas} x ${e.model}`).join(", ");
  const simulated = kinds.has("sim")
    ? "simulated (llmux sim): no GPU or no vllm command was found on this host"
    : "vLLM on this host's GPUs";
  return [
    "",
    "  llmux is running its embedded default config.",
    `  Engines: ${engines}, ${simulated}.`,
    `  OpenAI API: http://${config.gateway.host}:${config.gateway.port}/v1`,
    "  To serve real models with vLLM: llmux up --engine vllm --model <hf-model-id>",
    "  or write a config (see config.yaml.example) and run: llmux up -c config.yaml",
    "",
    "",
  ].join("\n");
}
