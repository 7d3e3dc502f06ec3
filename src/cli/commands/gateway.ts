// `llmux gateway`: runs only the gateway, routing to engines listed in config (no supervisor).

import { loadConfig } from "../../config/index.ts";
import { createLogger } from "../../telemetry/index.ts";
import { commonSets, type OptionSpecs, parseCommandArgs } from "../args.ts";
import { buildInfo } from "../build-info.ts";
import { configPath, loadConfigForCommand } from "../config-loading.ts";
import { ensureFetchConcurrency } from "../fetch-concurrency.ts";
import { runNode } from "../node.ts";
import { prepareNodeScheduling } from "../node-scheduling.ts";
import { commandUsage } from "../usage.ts";

const OPTIONS = { host: { type: "string" }, port: { type: "string" } } as const satisfies OptionSpecs;

export const HELP = commandUsage(
  "Usage: llmux gateway -c config.yaml [flags]\n\nRuns only the gateway; engines come from gateway.endpoints (engines: is ignored).",
  `Flags:
      --host <addr>          listen address (default 127.0.0.1)
      --port <port>          listen port (default 8000)`,
);

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS);
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const sets = commonSets(values);
  if (typeof values.host === "string") sets.push(`gateway.host=${JSON.stringify(values.host)}`);
  if (typeof values.port === "string") sets.push(`gateway.port=${values.port}`);
  const allSets = [...sets, "engines=[]"];
  const loaded = loadConfigForCommand("gateway", values, allSets);
  if (typeof loaded === "number") return loaded;
  const now = () => performance.timeOrigin + performance.now();
  const scheduling = await prepareNodeScheduling("gateway", loaded.config, null, now);
  if (scheduling === null) return 2;
  ensureFetchConcurrency();
  const info = buildInfo();
  const logger = createLogger({
    level: loaded.config.telemetry.log_level,
    format: loaded.config.telemetry.log_format,
    base: { svc: "llmux", version: info.version },
  });
  const path = configPath(values);
  return runNode({
    config: loaded.config,
    logger,
    version: info.version,
    plan: null,
    ...scheduling,
    ...(path === undefined
      ? {}
      : { reloadConfig: () => loadConfig({ path, sets: allSets, env: process.env }).config }),
  });
}
