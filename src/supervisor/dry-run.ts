// `llmux up --dry-run`: the plan, and for each instance its ports, environment and exact command
// line, shell-quoted so it can be pasted to start that engine by hand.
import { shellQuote } from "./shell-quote.ts";
import type { Plan, PlannedInstance } from "./types.ts";
import { buildLaunchSpec, type LaunchSpecOptions } from "./vllm-argv.ts";

export interface DryRunOptions extends LaunchSpecOptions {
  /** How engines are wrapped at launch (launcherPrefix() in process.ts); [] when not wrapped. */
  readonly launcherPrefix: readonly string[];
}

/** The whole dry-run report, ending with a newline. */
export function renderDryRun(plan: Plan, options: DryRunOptions): string {
  const lines = [
    `GPUs: ${plan.gpuReport}`,
    `engines: ${plan.instances.length} instance(s) on ${plan.host}`,
    options.launcherPrefix.length > 0
      ? `each command runs as: ${options.launcherPrefix.map(shellQuote).join(" ")} <command>`
      : "each command runs as is (setpriv not found: engines can outlive llmux if it is SIGKILLed)",
    "",
  ];
  for (const instance of plan.instances) lines.push(...renderInstance(instance, plan, options), "");
  return lines.join("\n");
}

function renderInstance(instance: PlannedInstance, plan: Plan, options: DryRunOptions): string[] {
  const spec = buildLaunchSpec(instance, plan, options);
  const gpus = instance.gpus.length > 0 ? instance.gpus.join(",") : "none";
  const nixl = instance.nixlPort === null ? "" : `, nixl side channel ${instance.nixlPort}`;
  const envWords = Object.entries(spec.env).map(([name, value]) => `${name}=${shellQuote(value)}`);
  return [
    `# ${instance.id}: ${instance.engine}, role ${instance.role}, gpus ${gpus}, tp ${instance.tensorParallelSize}`,
    `# ports: http ${instance.port}, kv events ${instance.kvEventsPort}, kv replay ${instance.replayPort}${nixl}`,
    ...continued(["env", ...envWords, ...commandLines(spec.argv)]),
  ];
}

/** One flag (with its values) per line, joined with shell line continuations. */
function commandLines(argv: readonly string[]): string[] {
  const groups: string[][] = [];
  for (const word of argv) {
    const last = groups.at(-1);
    if (last === undefined || word.startsWith("-")) groups.push([shellQuote(word)]);
    else last.push(shellQuote(word));
  }
  return groups.map((group) => group.join(" "));
}

function continued(all: readonly string[]): string[] {
  return all.map((line, i) => `${i === 0 ? "" : "  "}${line}${i === all.length - 1 ? "" : " \\"}`);
}
