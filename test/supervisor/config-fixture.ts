// Shared by the supervisor tests: configs with schema defaults applied, and a fake GPU inventory.

import type { Config } from "../../src/config/index.ts";
import { ConfigSchema } from "../../src/config/index.ts";
import { parseNvidiaSmiCsv } from "../../src/supervisor/gpu.ts";
import type { GpuDiscovery } from "../../src/supervisor/index.ts";

/** Parses a partial config the way config loading does, so every default is the schema's. */
export function configOf(input: { engines?: unknown[]; supervisor?: Record<string, unknown> }): Config {
  return ConfigSchema.parse(input);
}

/** `count` H100s, indices 0..count-1, as the fake nvidia-smi reports them. */
export function fakeGpus(count: number): GpuDiscovery {
  const lines = Array.from(
    { length: count },
    (_, i) => `${i}, GPU-8f3a1c2${i}-0b1d-4e5f-9a6b-7c8d9e0f1a2${i}, NVIDIA H100 80GB HBM3, 81559, 0`,
  );
  const { gpus } = parseNvidiaSmiCsv(lines.join("\n"));
  return { gpus, report: count === 0 ? "no GPUs: nvidia-smi is not on PATH" : `${count} GPU(s)` };
}
