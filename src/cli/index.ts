// The CLI: dispatches `llmux <command>` to its module. The only composition root of llmux.
import { UsageError } from "./args.ts";
import * as bench from "./commands/bench.ts";
import * as checkConfig from "./commands/check-config.ts";
import * as gateway from "./commands/gateway.ts";
import * as sim from "./commands/sim.ts";
import * as status from "./commands/status.ts";
import * as systemdUnit from "./commands/systemd-unit.ts";
import * as up from "./commands/up.ts";
import * as version from "./commands/version.ts";
import { MAIN_USAGE } from "./usage.ts";

interface Command {
  readonly HELP: string;
  run(argv: readonly string[]): Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  up,
  gateway,
  sim,
  bench,
  status,
  "check-config": checkConfig,
  "systemd-unit": systemdUnit,
  version,
};

/** Runs the CLI on `argv` (arguments after the program name) and returns the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(`${MAIN_USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") return version.run([]);
  const command = COMMANDS[name];
  if (command === undefined) {
    const what = name.startsWith("-") ? `unknown flag ${name}` : `unknown command '${name}'`;
    process.stderr.write(`llmux: ${what}\n\n${MAIN_USAGE}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`llmux ${name}: ${error.message}\n\n${command.HELP}\n`);
      return 2;
    }
    throw error;
  }
}
