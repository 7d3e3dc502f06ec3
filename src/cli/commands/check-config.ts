// `llmux check-config`: validates a config file and reports every problem with its path.
import { type Config, type ConfigProblem, formatConfigProblems } from "../../config/index.ts";
import { createAdmission } from "../../flow/index.ts";
import { commonSets, parseCommandArgs } from "../args.ts";
import { loadConfigForCommand } from "../config-loading.ts";
import { buildScheduler } from "../scheduler-setup.ts";
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
  const problems = pluginProblems(config);
  if (problems.length > 0) {
    process.stderr.write(`${source}: ${problems.length} problem(s):\n${formatConfigProblems(problems)}\n`);
    return 2;
  }
  const replicas = config.engines.reduce((sum, engine) => sum + engine.replicas, 0);
  process.stdout.write(
    `${source}: ok (${config.engines.length} engine group(s), ${replicas} replica(s), gateway ${config.gateway.host}:${config.gateway.port})\n`,
  );
  return 0;
}

/**
 * Scheduler plugins and flow policies validate their own parameters when built; build both here (with
 * no engines) so their problems are reported as `up` and `gateway` would report them at start.
 */
function pluginProblems(config: Config): ConfigProblem[] {
  const now = () => performance.timeOrigin + performance.now();
  const scheduler = buildScheduler(config.scheduler, now);
  const problems: ConfigProblem[] = scheduler.ok ? [] : [...scheduler.problems];
  if (!config.flow.enabled) return problems;
  const admission = createAdmission({
    config: config.flow,
    now,
    snapshot: () => [],
    metricsIntervalMs: config.scheduler.metricsIntervalMs,
    // The node always runs a predictor, so latency-slo-admitter is buildable; here it is only checked.
    estimateLatency: () => null,
  });
  if (admission.ok) admission.admission.close();
  else problems.push(...admission.problems);
  return problems;
}
