// Builds the scheduler from `scheduler:` config with a seeded random source; problems come back
// with their config paths so `up`, `gateway` and reloads can report them all at once.
import type { ConfigProblem, SchedulerConfig } from "../config/index.ts";
import { createScheduler, createSeededRng, type PluginScheduler } from "../scheduler/index.ts";

export type SchedulerSetup =
  | { readonly ok: true; readonly scheduler: PluginScheduler }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** `now` must be the clock of the metrics scraper, so staleness compares like with like. */
export function buildScheduler(config: SchedulerConfig, now: () => number): SchedulerSetup {
  const seed = config.seed ?? Math.floor(Math.random() * 2 ** 31);
  const built = createScheduler(config, { rng: createSeededRng(seed), now });
  return built.ok ? { ok: true, scheduler: built.scheduler } : { ok: false, problems: built.problems };
}
