// Labels of vllm:cache_config_info: CacheConfig attributes stringified as Python prints them
// (vllm/config/cache.py metrics_info), in the dataclass's field order.
import type { SimCapacity } from "./capacity.ts";
import type { SimArgs } from "./cli-args.ts";
import type { Labels } from "./metrics-text.ts";

/** The label set without `engine` (renderSimMetrics appends it per rank). */
export function cacheConfigLabels(args: SimArgs, capacity: SimCapacity): Labels {
  const offloadingGiB = args.kvOffloadingSizeGiB;
  return [
    ["block_size", String(args.blockSize)],
    ["gpu_memory_utilization", pythonFloat(args.gpuMemoryUtilization)],
    ["swap_space", "4.0"],
    ["cache_dtype", args.kvCacheDtype],
    ["is_attention_free", "False"],
    ["num_gpu_blocks_override", args.sim.kvBlocks === null ? "None" : String(args.sim.kvBlocks)],
    ["sliding_window", "None"],
    ["enable_prefix_caching", args.enablePrefixCaching ? "True" : "False"],
    // The algorithm the published hashes were computed with (sha256 runs as sha256_cbor here).
    ["prefix_caching_hash_algo", args.prefixCachingHashAlgo],
    ["cpu_offload_gb", "0.0"],
    ["calculate_kv_scales", "False"],
    ["kv_offloading_size", offloadingGiB === null ? "None" : pythonFloat(offloadingGiB)],
    ["kv_offloading_backend", offloadingGiB === null ? "None" : "native"],
    ["num_gpu_blocks", String(capacity.numGpuBlocks)],
    ["num_cpu_blocks", capacity.numCpuBlocks === 0 ? "None" : String(capacity.numCpuBlocks)],
  ];
}

/** Python's str() of a float: 1 -> "1.0". */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}
