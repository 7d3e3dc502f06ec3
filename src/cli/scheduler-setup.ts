// Builds the scheduler from `scheduler:` config with a seeded random source; problems come back
// with their config paths so `up`, `gateway` and reloads can report them all at once.
import type { ConfigProblem, SchedulerConfig } from "../config/index.ts";
import type { LatencyPredictorReader } from "../predictor/index.ts";
import {
  createScheduler,
  createSeededRng,
  type PluginScheduler,
  type PrefixIndexReader,
} from "../scheduler/index.ts";

export type SchedulerSetup =
  | { readonly ok: true; readonly scheduler: PluginScheduler }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** The node's long-lived state plugins read; the same objects are handed to every rebuilt scheduler. */
export interface SchedulerReaders {
  /** The node's online latency model (cli/predictor-setup.ts), for predicted-latency-producer. */
  readonly latencyPredictor?: LatencyPredictorReader;
  /**
   * The node's KV-event prefix index (cli/prefix-cache-setup.ts). With it, a profile that reads the
   * prefix match and configures no producer gets precise-prefix-cache-producer instead of the approximate one.
   */
  readonly prefixIndex?: PrefixIndexReader;
}

/** `now` must be the clock of the metrics scraper, so staleness compares like with like. */
export function buildScheduler(
  config: SchedulerConfig,
  now: () => number,
  readers: SchedulerReaders = {},
): SchedulerSetup {
  const seed = config.seed ?? Math.floor(Math.random() * 2 ** 31);
  const built = createScheduler(config, { rng: createSeededRng(seed), now, ...readers });
  return built.ok ? { ok: true, scheduler: built.scheduler } : { ok: false, problems: built.problems };
}
