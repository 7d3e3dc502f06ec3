import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enginePortBlock } from "../e2e/harness/llmux-process.ts";
import { runLlmux } from "../helpers/cli-process.ts";

describe("llmux up with GPUs declared in config", () => {
  test("--dry-run places vLLM replicas on supervisor.gpus without nvidia-smi", async () => {
    const base = enginePortBlock();
    const path = join(tmpdir(), `llmux-gpus-${process.pid}.yaml`);
    writeFileSync(
      path,
      JSON.stringify({
        engines: [{ model: "meta-llama/Llama-3.1-8B-Instruct", replicas: 2 }],
        supervisor: {
          engine: "vllm",
          vllm_command: ["true", "serve"],
          base_port: base,
          kv_events_base_port: base + 40,
          nixl_side_channel_base_port: base + 80,
          gpus: [
            { index: 0, name: "NVIDIA H100 80GB HBM3", memory_total_mib: 81559 },
            { index: 1, name: "NVIDIA H100 80GB HBM3", memory_total_mib: 81559 },
          ],
        },
      }),
    );
    const result = await runLlmux(["up", "--dry-run", "-c", path]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      "GPUs: 2 GPU(s) from supervisor.gpus (0: NVIDIA H100 80GB HBM3, 1: NVIDIA H100 80GB HBM3)",
    );
    expect(result.stdout).toContain("CUDA_VISIBLE_DEVICES=0");
    expect(result.stdout).toContain("CUDA_VISIBLE_DEVICES=1");
  });
});
