// `llmux bench`: the benchmark tool (lands with issue #9).
import { parseCommandArgs } from "../args.ts";
import { notLanded } from "../not-landed.ts";
import { commandUsage } from "../usage.ts";

export const HELP = commandUsage("Usage: llmux bench [flags]\n\nThe benchmark tool (issue #9).", "");

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {});
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  return notLanded("bench", "the benchmark tool", 9);
}
