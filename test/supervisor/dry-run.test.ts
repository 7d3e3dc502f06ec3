import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { renderDryRun } from "../../src/supervisor/dry-run.ts";
import { createPlan } from "../../src/supervisor/plan.ts";
import { configOf } from "./config-fixture.ts";

const FIXTURES = resolve(import.meta.dir, "../fixtures/supervisor");
const GOLDEN = resolve(FIXTURES, "dry-run-pd-8xh100.txt");

/** The P/D example: 2 prefill + 2 decode instances, TP2 each, on the fake 8-GPU host. */
const PD_CONFIG = configOf({
  engines: [
    {
      model: "meta-llama/Llama-3.1-8B-Instruct",
      served_model_name: ["llama-3.1-8b"],
      replicas: 2,
      tensor_parallel_size: 2,
      role: "prefill",
      gpu_memory_utilization: 0.9,
      max_model_len: 8192,
      lora_modules: [{ name: "sql", path: "org/llama-3.1-8b-sql-lora" }],
      env: { UCX_TLS: "cuda_ipc,cuda_copy,tcp" },
    },
    {
      model: "meta-llama/Llama-3.1-8B-Instruct",
      served_model_name: ["llama-3.1-8b"],
      replicas: 2,
      tensor_parallel_size: 2,
      role: "decode",
      gpu_memory_utilization: 0.9,
      max_model_len: 8192,
      lora_modules: [{ name: "sql", path: "org/llama-3.1-8b-sql-lora" }],
      extra_args: ["--block-size", "16", "--max-num-seqs", "256"],
      env: { UCX_TLS: "cuda_ipc,cuda_copy,tcp" },
    },
  ],
  supervisor: { engine: "auto" },
});

describe("llmux up --dry-run", () => {
  test("prints the P/D plan for 8 fake H100s exactly as the golden file", async () => {
    const result = await createPlan({
      engines: PD_CONFIG.engines,
      supervisor: PD_CONFIG.supervisor,
      reservedPorts: [{ port: 8000, owner: "the gateway", path: "gateway.port" }],
      // The fake nvidia-smi and vllm first on PATH: engine auto resolves to vllm.
      env: { PATH: `${FIXTURES}:${process.env.PATH ?? ""}` },
      probePort: async () => null,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    const text = renderDryRun(result.plan, {
      launcherPrefix: ["/usr/bin/setpriv", "--pdeathsig", "SIGTERM", "--"],
    });
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, "utf8"));
  });
});
