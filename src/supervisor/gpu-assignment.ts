// Assigns disjoint GPU sets (tensor_parallel_size each) to the replicas of vLLM entries: explicit
// `gpus:` pins first, then the remaining GPUs in nvidia-smi order.
import type { EngineSpec } from "../config/index.ts";
import type { EngineKind, Gpu, PlacementProblem } from "./types.ts";

export interface GpuAssignment {
  /** Per entry, per replica: the GPU indices; sim entries get empty sets. */
  readonly byEntry: readonly (readonly (readonly number[])[])[];
  readonly problems: readonly PlacementProblem[];
}

const FEWER =
  "lower replicas or tensor_parallel_size, make more GPUs visible (CUDA_VISIBLE_DEVICES), or run simulated engines (engine: sim)";

/** Splits the visible GPUs between entries; reports every shortage and bad pin at once. */
export function assignGpus(
  entries: readonly EngineSpec[],
  kinds: readonly EngineKind[],
  gpus: readonly Gpu[],
  gpuReport: string,
): GpuAssignment {
  const problems: PlacementProblem[] = [];
  const taken = new Set<number>();
  const byEntry: number[][][] = entries.map(() => []);
  const visible = gpus.map((gpu) => gpu.index);
  const isVllm = (i: number) => kinds[i] === "vllm";
  if (gpus.length === 0 && entries.some((_, i) => isVllm(i))) {
    problems.push({
      path: "supervisor.engine",
      message: `vLLM engines need GPUs, but ${gpuReport}`,
      fix: "check that `nvidia-smi` works on this host, or run simulated engines (supervisor.engine: sim)",
    });
    return { byEntry, problems };
  }
  entries.forEach((spec, i) => {
    if (!isVllm(i) || spec.gpus === undefined) return;
    const pinned = checkPins(spec, i, visible, taken, problems);
    if (pinned !== null) byEntry[i] = chunk(pinned, spec.tensor_parallel_size);
  });
  let free = visible.filter((index) => !taken.has(index));
  entries.forEach((spec, i) => {
    if (!isVllm(i) || spec.gpus !== undefined) return;
    const groups = takeFree(spec, i, visible.length, free, problems);
    byEntry[i] = groups;
    free = free.slice(groups.flat().length);
  });
  return { byEntry, problems };
}

/** Replicas that fill every visible GPU with tensor_parallel_size-sized groups (quick mode). */
export function replicasForAllGpus(
  gpuCount: number,
  tensorParallelSize: number,
): { replicas: number } | { problem: PlacementProblem } {
  if (gpuCount > 0 && gpuCount % tensorParallelSize === 0) return { replicas: gpuCount / tensorParallelSize };
  return {
    problem: {
      path: "engines[0].tensor_parallel_size",
      message: `tensor_parallel_size ${tensorParallelSize} does not divide the ${gpuCount} visible GPU(s)`,
      fix: `choose a tensor_parallel_size that divides ${gpuCount}, or set replicas explicitly`,
    },
  };
}

/** The next replicas x TP free GPUs, or [] with a problem when they do not fit. */
function takeFree(
  spec: EngineSpec,
  i: number,
  visibleCount: number,
  free: readonly number[],
  problems: PlacementProblem[],
): number[][] {
  const tp = spec.tensor_parallel_size;
  const needed = spec.replicas * tp;
  if (tp > visibleCount) {
    problems.push({
      path: `engines[${i}].tensor_parallel_size`,
      message: `tensor_parallel_size ${tp} needs ${tp} GPUs per replica; ${visibleCount} are visible`,
      fix: `set tensor_parallel_size to at most ${visibleCount}`,
    });
    return [];
  }
  if (needed > free.length) {
    problems.push({
      path: `engines[${i}].replicas`,
      message: `${spec.replicas} replica(s) x tensor_parallel_size ${tp} need ${needed} GPUs; ${free.length} of ${visibleCount} are left`,
      fix: FEWER,
    });
    return [];
  }
  return chunk(free.slice(0, needed), tp);
}

function checkPins(
  spec: EngineSpec,
  i: number,
  visible: readonly number[],
  taken: Set<number>,
  problems: PlacementProblem[],
): number[] | null {
  const pins = spec.gpus ?? [];
  const path = `engines[${i}].gpus`;
  const before = problems.length;
  const needed = spec.replicas * spec.tensor_parallel_size;
  if (pins.length !== needed) {
    problems.push({
      path,
      message: `${pins.length} GPU(s) pinned, but ${spec.replicas} replica(s) x tensor_parallel_size ${spec.tensor_parallel_size} need ${needed}`,
      fix: `list exactly ${needed} GPU indices, or change replicas/tensor_parallel_size`,
    });
  }
  for (const [position, index] of pins.entries()) {
    if (!visible.includes(index)) {
      problems.push({
        path,
        message: `GPU ${index} is not visible (visible: ${visible.join(", ") || "none"})`,
        fix: "pin visible GPU indices (nvidia-smi numbering)",
      });
    } else if (taken.has(index) || pins.indexOf(index) !== position) {
      problems.push({
        path,
        message: `GPU ${index} is pinned more than once`,
        fix: "give each replica of each entry its own GPUs",
      });
    }
  }
  for (const index of pins) taken.add(index);
  return problems.length === before ? [...pins] : null;
}

function chunk(indices: readonly number[], size: number): number[][] {
  const groups: number[][] = [];
  for (let start = 0; start < indices.length; start += size) groups.push(indices.slice(start, start + size));
  return groups;
}
