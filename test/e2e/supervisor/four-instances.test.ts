// `llmux up` with four simulated engines: all ready, each one serving requests through the gateway,
// and the same node seen through GET /admin/instances and `llmux status`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runLlmux } from "../../helpers/cli-process.ts";
import { isProcessAlive } from "../../supervisor/os-processes.ts";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import { adminInstances, complete, waitForAllReady } from "./node-process.ts";

let llmux: LlmuxProcess;
beforeAll(async () => {
  llmux = await startLlmux({
    engines: [{ model: "e2e-model", replicas: 4, extra_args: ["--sim-profile", "tiny-cpu"] }],
    config: { supervisor: { sim_args: ["--sim-startup-delay", "0"] } },
  });
  await waitForAllReady(llmux.url, 4);
});
afterAll(async () => {
  await llmux?.stop();
});

describe("llmux up with 4 instances", () => {
  test("all four are ready, each with its own live engine process", async () => {
    const instances = await adminInstances(llmux.url);
    expect(instances.map((i) => i.id).sort()).toEqual([
      "e2e-model-0",
      "e2e-model-1",
      "e2e-model-2",
      "e2e-model-3",
    ]);
    for (const instance of instances) {
      expect(instance).toMatchObject({ model: "e2e-model", state: "ready", restarts: 0, lastError: null });
      expect(instance.pid).not.toBeNull();
      expect(isProcessAlive(instance.pid ?? -1)).toBe(true);
    }
    expect(new Set(instances.map((i) => i.pid)).size).toBe(4);
  });

  test("every instance serves requests through the gateway", async () => {
    const served = new Map<string, number>();
    // Distinct prompts share no prefix, so the prefix-aware scheduler spreads them (ties broken at
    // random: 40 requests miss one of 4 engines with probability ~4e-5).
    for (let i = 0; i < 40; i++) {
      const result = await complete(llmux.url, "e2e-model", {}, `distinct prompt number ${i}`);
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ object: "text_completion" });
      served.set(result.endpoint ?? "none", (served.get(result.endpoint ?? "none") ?? 0) + 1);
    }
    expect([...served.keys()].sort()).toEqual(["e2e-model-0", "e2e-model-1", "e2e-model-2", "e2e-model-3"]);
  });

  test("`llmux status` prints a ready row per instance", async () => {
    const result = await runLlmux(["status", "--url", llmux.url]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`llmux at ${llmux.url}: 4 instance(s), 4 ready`);
    for (let i = 0; i < 4; i++) {
      expect(result.stdout).toMatch(
        new RegExp(`^e2e-model-${i}\\s+e2e-model\\s+-\\s+both\\s+ready\\s+\\d+s\\s+0\\s+0\\s+-$`, "m"),
      );
    }
  });
});
