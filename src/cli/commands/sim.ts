// `llmux sim`: the engine simulator (lands with issue #3).
import { parseCommandArgs } from "../args.ts";
import { notLanded } from "../not-landed.ts";
import { commandUsage } from "../usage.ts";

export const HELP = commandUsage("Usage: llmux sim [flags]\n\nThe engine simulator (issue #3).", "");

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {});
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  return notLanded("sim", "the engine simulator", 3);
}
