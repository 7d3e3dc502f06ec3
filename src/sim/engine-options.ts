// The engine options `llmux sim` derives from its command line and resolved capacity: one place, so the
// sim server and the bench's discrete-event simulation build identical engines from the same flags.
import type { RangeBlockHasher } from "../kvcache/index.ts";
import type { SimCapacity } from "./capacity.ts";
import type { SimArgs } from "./cli-args.ts";
import type { SimEngineOptions } from "./engine/index.ts";

/** Options of the engine for data-parallel `rank`; callers add server-only hooks (token sampling, KV load policy). */
export function simEngineOptions(
  args: SimArgs,
  capacity: SimCapacity,
  hasher: RangeBlockHasher,
  rank: number,
  emitKvEvents: boolean,
): SimEngineOptions {
  return {
    profile: capacity.profile,
    blockSize: args.blockSize,
    numGpuBlocks: capacity.numGpuBlocks,
    numCpuBlocks: capacity.numCpuBlocks,
    maxNumSeqs: capacity.maxNumSeqs,
    maxNumBatchedTokens: capacity.maxNumBatchedTokens,
    maxModelLen: capacity.maxModelLen,
    enablePrefixCaching: args.enablePrefixCaching,
    schedulingPolicy: args.schedulingPolicy,
    hasher,
    useIntBlockHashes: args.env.useIntBlockHashes,
    emitKvEvents,
    dataParallelRank: rank,
    seed: args.sim.seed,
  };
}
