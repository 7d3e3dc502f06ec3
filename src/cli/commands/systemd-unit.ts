// `llmux systemd-unit`: prints a systemd unit that runs `llmux up` with this binary and a config
// file, with timeouts derived from that config (drain, stop grace, readiness).
import { accessSync, constants, statSync } from "node:fs";
import { resolve } from "node:path";
import { renderSystemdUnit } from "../../supervisor/index.ts";
import { commonSets, type OptionSpecs, parseCommandArgs, UsageError } from "../args.ts";
import { loadConfigForCommand } from "../config-loading.ts";
import { commandUsage } from "../usage.ts";

const OPTIONS = {
  binary: { type: "string" },
  user: { type: "string" },
} as const satisfies OptionSpecs;

export const HELP = commandUsage(
  `Usage: llmux systemd-unit [-c config.yaml] [--binary PATH] [--user USER]

Prints a systemd unit for \`llmux up\` (Type=notify, watchdog, restart on failure, stop timeouts
that cover the drain). The config is validated first; its path goes into ExecStart as an absolute path.
Install it with:
  llmux systemd-unit -c /etc/llmux/config.yaml > /etc/systemd/system/llmux.service
  systemctl daemon-reload && systemctl enable --now llmux`,
  `Flags:
      --binary <path>        the llmux binary ExecStart runs (default: this binary when compiled)
      --user <name>          run the service as this user (default: root)`,
);

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS);
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const binaryPath = binaryFlag(values.binary);
  const loaded = loadConfigForCommand("systemd-unit", values, commonSets(values));
  if (typeof loaded === "number") return loaded;
  const { config, isEmbeddedDefault, source } = loaded;
  if (!isExecutable(binaryPath)) {
    process.stderr.write(
      `llmux systemd-unit: warning: ${binaryPath} is not an executable file yet; install the binary there before starting the unit\n`,
    );
  }
  if (isEmbeddedDefault) {
    process.stderr.write("llmux systemd-unit: no -c given: the unit runs the embedded default config\n");
  }
  let unit: string;
  try {
    unit = renderSystemdUnit({
      binaryPath,
      configPath: isEmbeddedDefault ? null : resolve(source),
      ...(typeof values.user === "string" ? { user: values.user } : {}),
      drainTimeoutS: config.gateway.drain_timeout_ms / 1000,
      stopGraceS: config.supervisor.stop_grace_s,
      readinessTimeoutS: config.supervisor.readiness_timeout_s,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  process.stdout.write(unit);
  return 0;
}

/** --binary made absolute; else this executable when compiled (from source, bun is not llmux). */
function binaryFlag(value: string | boolean | string[] | undefined): string {
  if (typeof value === "string") return resolve(value);
  if (Bun.isStandaloneExecutable) return process.execPath;
  throw new UsageError("running from source: pass --binary with the path of the compiled llmux binary");
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    // Converted to a warning: the unit may be written before the binary is installed.
    return false;
  }
}
