// GPU discovery for `up`: nvidia-smi, or the GPUs declared in supervisor.gpus (still narrowed by
// CUDA_VISIBLE_DEVICES, as nvidia-smi's list is).
import type { Config } from "../config/index.ts";
import { applyCudaVisibleDevices, discoverGpus, type GpuDiscovery } from "../supervisor/index.ts";

export async function gpuDiscovery(config: Config): Promise<GpuDiscovery> {
  const declared = config.supervisor.gpus;
  if (declared === undefined) return discoverGpus({ env: process.env });
  const all = declared.map((gpu) => ({
    index: gpu.index,
    uuid: gpu.uuid ?? `config-gpu-${gpu.index}`,
    name: gpu.name,
    memoryTotalMiB: gpu.memory_total_mib ?? null,
    memoryUsedMiB: null,
  }));
  const visible = applyCudaVisibleDevices(all, process.env.CUDA_VISIBLE_DEVICES);
  const names = visible.gpus.map((gpu) => `${gpu.index}: ${gpu.name}`).join(", ") || "none";
  const note = visible.note === null ? "" : `; ${visible.note}`;
  return {
    gpus: visible.gpus,
    report: `${visible.gpus.length} GPU(s) from supervisor.gpus (${names})${note}`,
  };
}
