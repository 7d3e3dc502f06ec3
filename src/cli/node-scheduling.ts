// What `up` and `gateway` build before anything starts: the scheduler from `scheduler:`, with the
// long-lived state its plugins read (the latency predictor, the KV-event prefix index). Scheduler config
// problems are printed with their paths as the command's own, so the command exits 2.
import { type Config, formatConfigProblems } from "../config/index.ts";
import type { PluginScheduler } from "../scheduler/index.ts";
import type { Plan } from "../supervisor/index.ts";
import { createPredictorSetup, type PredictorSetup } from "./predictor-setup.ts";
import { createPrefixCache, type PrefixCache } from "./prefix-cache-setup.ts";
import { buildScheduler } from "./scheduler-setup.ts";

export interface NodeScheduling {
  readonly scheduler: PluginScheduler;
  readonly predictor: PredictorSetup;
  readonly prefixCache: PrefixCache | null;
}

/** The node's scheduler and its readers, or null after writing the scheduler's problems to stderr. */
export async function prepareNodeScheduling(
  command: string,
  config: Config,
  plan: Plan | null,
  now: () => number,
): Promise<NodeScheduling | null> {
  const predictor = createPredictorSetup({ config, now });
  const prefixCache = await createPrefixCache({ config, plan, now });
  const built = buildScheduler(config.scheduler, now, {
    latencyPredictor: predictor.latencyPredictor,
    prefixIndex: prefixCache?.index,
  });
  if (!built.ok) {
    const report = formatConfigProblems(built.problems);
    process.stderr.write(`llmux ${command}: the scheduler config is invalid:\n${report}\n`);
    return null;
  }
  return { scheduler: built.scheduler, predictor, prefixCache };
}
