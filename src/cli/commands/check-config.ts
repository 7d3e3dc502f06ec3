// `llmux check-config`: validates a config file and reports every problem with its path.
import { commonSets, parseCommandArgs } from "../args.ts";
import { loadConfigForCommand } from "../config-loading.ts";
import { commandUsage } from "../usage.ts";

export const HELP = commandUsage(
  "Usage: llmux check-config -c config.yaml\n\nValidates the configuration (file, env overrides and --set) and prints every problem.\nExits 0 when valid, 2 otherwise.",
  "",
);

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {});
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const loaded = loadConfigForCommand("check-config", values, commonSets(values));
  if (typeof loaded === "number") return loaded;
  const { config, source } = loaded;
  const replicas = config.engines.reduce((sum, engine) => sum + engine.replicas, 0);
  process.stdout.write(
    `${source}: ok (${config.engines.length} engine group(s), ${replicas} replica(s), gateway ${config.gateway.host}:${config.gateway.port})\n`,
  );
  return 0;
}
