// `llmux sim`: the vLLM-compatible engine simulator. Takes `vllm serve` flags; logging follows the
// llmux config (-c / LLMUX_CONFIG / --set telemetry.*) unless --log-level / --log-format say otherwise.
import {
  parseSimArgs,
  type SimArgs,
  SimArgsError,
  serveSim,
  simFlagsHelp,
  simProfileNames,
} from "../../sim/index.ts";
import { createLogger } from "../../telemetry/index.ts";
import { buildInfo } from "../build-info.ts";
import { loadConfigForCommand } from "../config-loading.ts";
import { waitForStopSignal } from "../stop-signal.ts";

export const HELP = `Usage: llmux sim MODEL [vllm serve flags] [--sim-* flags]

Runs a simulated vLLM engine: vLLM's HTTP API, /metrics, KV events and P/D side channel, with a
latency model instead of a GPU. MODEL may be a directory with tokenizer.json + tokenizer_config.json
(tokenized as vLLM does); otherwise a builtin tokenizer is used. vLLM env: PYTHONHASHSEED,
VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES, VLLM_NIXL_SIDE_CHANNEL_HOST/PORT, VLLM_SERVER_DEV_MODE, VLLM_API_KEY.

${simFlagsHelp()}
Profiles (--sim-profile): ${simProfileNames().join(", ")}.

llmux flags:
  -c, --llmux-config <file>   llmux config file for logging settings (env LLMUX_CONFIG)
      --set <key.path=value>  override one llmux config value (repeatable), e.g. --set telemetry.log_level=debug
      --log-level <level>     trace|debug|info|warn|error|fatal|silent
      --log-format <format>   json|pretty
  -h, --help                  show help`;

export async function run(argv: readonly string[]): Promise<number> {
  let args: SimArgs;
  try {
    args = parseSimArgs(argv);
  } catch (error) {
    if (!(error instanceof SimArgsError)) throw error;
    process.stderr.write(`llmux sim: ${error.message}\n\n${HELP}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const sets = [...args.llmuxSets];
  if (args.logLevel !== undefined) sets.push(`telemetry.log_level=${args.logLevel}`);
  if (args.logFormat !== undefined) sets.push(`telemetry.log_format=${args.logFormat}`);
  const loaded = loadConfigForCommand("sim", { config: args.llmuxConfig }, sets);
  if (typeof loaded === "number") return loaded;
  const logger = createLogger({
    level: loaded.config.telemetry.log_level,
    format: loaded.config.telemetry.log_format,
    base: { svc: "llmux-sim", version: buildInfo().version },
  });
  return serveSim(args, logger, waitForStopSignal());
}
