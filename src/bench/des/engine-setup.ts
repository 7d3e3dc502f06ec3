// Engine options for the DES, resolved by the same code `llmux sim` runs: its flag parser and its
// capacity rules (profile KV blocks scaled by --gpu-memory-utilization, max_model_len clamping).
import { createBlockHasher, type RangeBlockHasher } from "../../kvcache/index.ts";
import {
  createSimEngine,
  parseSimArgs,
  resolveCapacity,
  SimArgsError,
  type SimEngine,
  type SimEngineOptions,
  type SimProfile,
  simEngineOptions,
} from "../../sim/index.ts";
import { BenchError } from "../errors.ts";

export interface EngineSetup {
  /** Sim profile name (`llmux sim --sim-profile`). */
  readonly profile: string;
  /** More `llmux sim` / `vllm serve` flags, e.g. ["--max-num-seqs", "256"]. */
  readonly simFlags?: readonly string[];
}

export interface ResolvedEngines {
  readonly profile: SimProfile;
  /** Options of engine 0; engine i differs only in dataParallelRank. */
  readonly options: SimEngineOptions;
  /** HTTP + tokenize time the sim server waits before a request reaches its engine (ms). */
  readonly apiOverheadMs: number;
  readonly hasher: RangeBlockHasher;
  create(rank: number, emitKvEvents: boolean): SimEngine;
}

/** Resolves engine options from sim flags; throws BenchError naming a bad flag. */
export async function resolveEngines(setup: EngineSetup, seed: number): Promise<ResolvedEngines> {
  const argv = [
    "bench-model",
    "--sim-profile",
    setup.profile,
    "--sim-seed",
    String(seed),
    ...(setup.simFlags ?? []),
  ];
  let args: ReturnType<typeof parseSimArgs>;
  let capacity: ReturnType<typeof resolveCapacity>;
  try {
    // A fixed PYTHONHASHSEED: block hashes (and so KV events) are the same on every run.
    args = parseSimArgs(argv, { env: { PYTHONHASHSEED: "0" } });
    capacity = resolveCapacity(args);
  } catch (error) {
    if (error instanceof SimArgsError)
      throw new BenchError("bench_invalid_options", `engine flags: ${error.message}`);
    throw error;
  }
  const hasher = await createBlockHasher(args.prefixCachingHashAlgo, args.env.pythonHashSeed);
  const options = simEngineOptions(args, capacity, hasher, 0, false);
  return {
    profile: capacity.profile,
    options,
    apiOverheadMs: capacity.profile.apiOverheadMs,
    hasher,
    create: (rank, emitKvEvents) => createSimEngine({ ...options, dataParallelRank: rank, emitKvEvents }),
  };
}
