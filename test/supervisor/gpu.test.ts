import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { applyCudaVisibleDevices, discoverGpus, parseNvidiaSmiCsv } from "../../src/supervisor/gpu.ts";

const FIXTURES = resolve(import.meta.dir, "../fixtures/supervisor");
const PATH_WITH_FAKE = `${FIXTURES}:${process.env.PATH ?? ""}`;

// Two lines as driver 550's nvidia-smi prints them, plus a MIG-style [N/A] memory field.
const CSV = [
  "0, GPU-1a2b3c4d-0000-1111-2222-333344445555, NVIDIA H100 80GB HBM3, 81559, 1",
  "1, GPU-9f8e7d6c-0000-1111-2222-333344445555, NVIDIA H100 80GB HBM3, 81559, 40960",
  "2, GPU-77777777-0000-1111-2222-333344445555, NVIDIA A100-SXM4-40GB, [N/A], [N/A]",
  "",
].join("\n");

describe("parseNvidiaSmiCsv", () => {
  test("reads index, uuid, name and memory in MiB", () => {
    const { gpus, badLines } = parseNvidiaSmiCsv(CSV);
    expect(badLines).toEqual([]);
    expect(gpus[1]).toEqual({
      index: 1,
      uuid: "GPU-9f8e7d6c-0000-1111-2222-333344445555",
      name: "NVIDIA H100 80GB HBM3",
      memoryTotalMiB: 81559,
      memoryUsedMiB: 40960,
    });
    expect(gpus[2]?.memoryTotalMiB).toBeNull();
  });

  test("keeps a comma inside the GPU name", () => {
    const { gpus } = parseNvidiaSmiCsv("3, GPU-abc, Tesla V100, PCIe, 16384, 0\n");
    expect(gpus[0]?.name).toBe("Tesla V100, PCIe");
  });

  test("reports lines it cannot read", () => {
    expect(parseNvidiaSmiCsv("No devices were found\n").badLines).toEqual(["No devices were found"]);
  });
});

describe("applyCudaVisibleDevices", () => {
  const { gpus } = parseNvidiaSmiCsv(CSV);
  const indices = (value: string | undefined) =>
    applyCudaVisibleDevices(gpus, value).gpus.map((g) => g.index);

  test("keeps every GPU when unset", () => {
    expect(indices(undefined)).toEqual([0, 1, 2]);
  });

  test("selects by index in the listed order", () => {
    expect(indices("2,0")).toEqual([2, 0]);
  });

  test("selects by full UUID and by unique UUID prefix", () => {
    expect(indices("GPU-9f8e7d6c-0000-1111-2222-333344445555")).toEqual([1]);
    expect(indices("GPU-7777,GPU-1a2b")).toEqual([2, 0]);
  });

  test("stops at the first entry that matches nothing, as CUDA does", () => {
    const result = applyCudaVisibleDevices(gpus, "1,7,0");
    expect(result.gpus.map((g) => g.index)).toEqual([1]);
    expect(result.note).toContain('"7" matches no GPU');
  });

  test("an ambiguous UUID prefix matches nothing", () => {
    expect(indices("GPU-")).toEqual([]);
  });

  test("an empty value hides every GPU", () => {
    expect(indices("")).toEqual([]);
  });
});

describe("discoverGpus", () => {
  test("finds the 8 H100s of the fake nvidia-smi on PATH", async () => {
    const discovery = await discoverGpus({ env: { PATH: PATH_WITH_FAKE } });
    expect(discovery.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(discovery.gpus[7]?.uuid).toBe("GPU-8f3a1c27-0b1d-4e5f-9a6b-7c8d9e0f1a27");
    expect(discovery.report).toStartWith("8 GPU(s): 0 NVIDIA H100 80GB HBM3;");
  });

  test("honours CUDA_VISIBLE_DEVICES by index and by UUID", async () => {
    const discovery = await discoverGpus({
      env: { PATH: PATH_WITH_FAKE, CUDA_VISIBLE_DEVICES: "4,GPU-8f3a1c26" },
    });
    expect(discovery.gpus.map((g) => g.index)).toEqual([4, 6]);
    expect(discovery.report).toContain("CUDA_VISIBLE_DEVICES=4,GPU-8f3a1c26");
  });

  test("reports a missing nvidia-smi instead of throwing", async () => {
    const discovery = await discoverGpus({ env: { PATH: "/nonexistent" } });
    expect(discovery).toEqual({ gpus: [], report: "no GPUs: nvidia-smi is not on PATH" });
  });

  test("reports a failing nvidia-smi with its message", async () => {
    const discovery = await discoverGpus({ env: { PATH: PATH_WITH_FAKE, FAKE_NVIDIA_SMI: "fail" } });
    expect(discovery.gpus).toEqual([]);
    expect(discovery.report).toBe(
      "no GPUs: nvidia-smi exited with code 18 (Failed to initialize NVML: Driver/library version mismatch)",
    );
  });

  test("gives up on a hanging nvidia-smi after the timeout", async () => {
    const startedMs = performance.now();
    const discovery = await discoverGpus({
      env: { PATH: PATH_WITH_FAKE, FAKE_NVIDIA_SMI: "hang" },
      timeoutMs: 300,
    });
    expect(discovery.report).toBe("no GPUs: nvidia-smi did not answer within 300 ms");
    expect(performance.now() - startedMs).toBeLessThan(5_000);
  });
});
