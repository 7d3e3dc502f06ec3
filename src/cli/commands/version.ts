// `llmux version`: prints llmux's version, the git commit and the Bun runtime version.
import { parseCommandArgs } from "../args.ts";
import { buildInfo } from "../build-info.ts";
import { commandUsage } from "../usage.ts";

export const HELP = commandUsage(
  "Usage: llmux version\n\nPrints llmux's version, git commit and Bun version.",
  "",
);

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {});
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const info = buildInfo();
  process.stdout.write(`llmux ${info.version} (commit ${info.commit}, bun ${info.bunVersion})\n`);
  return 0;
}
