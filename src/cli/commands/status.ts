// `llmux status`: status of a running llmux (lands with issue #8).
import { parseCommandArgs } from "../args.ts";
import { notLanded } from "../not-landed.ts";
import { commandUsage } from "../usage.ts";

export const HELP = commandUsage("Usage: llmux status [flags]\n\nStatus of a running llmux (issue #8).", "");

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {});
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  return notLanded("status", "status of a running llmux", 8);
}
