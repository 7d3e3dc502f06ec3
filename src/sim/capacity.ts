// Engine capacity of `llmux sim` from its flags and profile: GPU KV blocks (scaled by
// gpu_memory_utilization / 0.9 unless --sim-kv-blocks), CPU blocks from --kv-offloading-size, and the
// scheduler limits vLLM would use.
import { type SimArgs, SimArgsError } from "./cli-args.ts";
import { getSimProfile, simProfileNames } from "./engine/profiles.ts";
import type { SimProfile } from "./engine/types.ts";

/** The utilization the profiles' block counts were measured at. */
const PROFILE_GPU_MEMORY_UTILIZATION = 0.9;
const GIB = 2 ** 30;

export interface SimCapacity {
  readonly profile: SimProfile;
  readonly numGpuBlocks: number;
  readonly numCpuBlocks: number;
  readonly maxModelLen: number;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  /** Real milliseconds before the port listens. */
  readonly startupDelayMs: number;
  /** Adjustments worth a log line (max_model_len clamped to the KV pool). */
  readonly notes: readonly string[];
}

/** Resolves the profile and capacity. Throws SimArgsError naming the flag on a bad combination. */
export function resolveCapacity(args: SimArgs): SimCapacity {
  const profile = getSimProfile(args.sim.profile);
  if (profile === undefined) {
    throw new SimArgsError(
      `--sim-profile: unknown profile "${args.sim.profile}" (known: ${simProfileNames().join(", ")})`,
    );
  }
  const numGpuBlocks =
    args.sim.kvBlocks ??
    Math.max(1, Math.floor((profile.gpuBlocks * args.gpuMemoryUtilization) / PROFILE_GPU_MEMORY_UTILIZATION));
  const numCpuBlocks =
    args.kvOffloadingSizeGiB === null
      ? 0
      : Math.floor((args.kvOffloadingSizeGiB * GIB) / (profile.kvBytesPerToken * args.blockSize));
  const notes: string[] = [];
  const kvTokens = numGpuBlocks * args.blockSize;
  let maxModelLen = args.maxModelLen ?? profile.maxModelLen;
  if (maxModelLen > kvTokens) {
    // vLLM refuses to start when one max-length request cannot fit in the KV cache.
    if (args.maxModelLen !== null) {
      throw new SimArgsError(
        `--max-model-len: ${maxModelLen} tokens do not fit the KV cache of ${numGpuBlocks} blocks × ${args.blockSize} (${kvTokens} tokens); lower --max-model-len or raise --sim-kv-blocks / --gpu-memory-utilization`,
      );
    }
    notes.push(
      `max_model_len lowered from ${maxModelLen} to ${kvTokens}, what ${numGpuBlocks} KV blocks hold`,
    );
    maxModelLen = kvTokens;
  }
  const maxNumBatchedTokens = args.maxNumBatchedTokens ?? profile.maxNumBatchedTokens;
  const startupDelayMs =
    args.sim.startupDelayS !== null
      ? args.sim.startupDelayS * 1000
      : profile.startupDelayMs / args.sim.timeScale;
  return {
    profile,
    numGpuBlocks,
    numCpuBlocks,
    maxModelLen,
    maxNumSeqs: args.maxNumSeqs ?? profile.maxNumSeqs,
    maxNumBatchedTokens,
    startupDelayMs,
    notes,
  };
}
