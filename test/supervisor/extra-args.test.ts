import { describe, expect, test } from "bun:test";
import { findArgConflicts, flagName } from "../../src/supervisor/extra-args.ts";
import { configOf } from "./config-fixture.ts";

function specOf(entry: Record<string, unknown>) {
  const spec = configOf({ engines: [entry] }).engines[0];
  if (spec === undefined) throw new Error("no spec");
  return spec;
}

describe("flagName", () => {
  test.each([
    ["--port=9000", "--port"],
    ["--max_model_len", "--max-model-len"],
    ["--kv-events-config.topic", "--kv-events-config"],
    ["-tp", "--tensor-parallel-size"],
    ["-tp=4", "--tensor-parallel-size"],
    ["4096", null],
    ["-1", null],
  ] as const)("%s → %p", (token, expected) => {
    expect(flagName(token)).toBe(expected);
  });
});

describe("findArgConflicts", () => {
  test("allows flags llmux does not set", () => {
    const spec = specOf({
      model: "m",
      extra_args: ["--enforce-eager", "--max-num-seqs", "64", "--gpu-memory-utilization", "0.8"],
    });
    expect(findArgConflicts(spec, 0, "vllm")).toEqual([]);
  });

  test("flags a setting given twice only when the config sets it too", () => {
    const spec = specOf({
      model: "m",
      gpu_memory_utilization: 0.9,
      extra_args: ["--gpu-memory-utilization=0.8"],
    });
    expect(findArgConflicts(spec, 2, "vllm").map((p) => p.path)).toEqual(["engines[2].extra_args"]);
  });

  test("rejects data parallelism, which would shift every port by rank", () => {
    const spec = specOf({ model: "m", extra_args: ["-dp", "2"] });
    expect(findArgConflicts(spec, 0, "vllm")[0]?.fix).toContain("replicas");
  });

  test("rejects a CPU KV tier on prefill/decode instances, where vLLM would replace the NixlConnector", () => {
    const spec = specOf({
      model: "m",
      role: "decode",
      cpu_offload_gb: 8,
      extra_args: ["--kv-offloading-size", "8"],
    });
    expect(findArgConflicts(spec, 0, "vllm").map((p) => p.path)).toEqual([
      "engines[0].cpu_offload_gb",
      "engines[0].extra_args",
    ]);
  });

  test("lets sim entries carry --sim-* flags and their own CUDA_VISIBLE_DEVICES", () => {
    const spec = specOf({
      model: "m",
      extra_args: ["--sim-profile", "tiny-cpu"],
      env: { CUDA_VISIBLE_DEVICES: "" },
    });
    expect(findArgConflicts(spec, 0, "sim")).toEqual([]);
  });
});
