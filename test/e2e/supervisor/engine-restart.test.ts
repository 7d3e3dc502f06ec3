// kill -9 of one engine under steady traffic: the supervisor restarts it and it is back in the pool
// within 5 s, while every request keeps succeeding on the other engines.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import { adminInstances, complete, waitForAllReady, waitForInstances } from "./node-process.ts";

const CLIENTS = 4;

let llmux: LlmuxProcess;
beforeAll(async () => {
  llmux = await startLlmux({
    engines: [{ model: "e2e-model", replicas: 3, extra_args: ["--sim-profile", "tiny-cpu"] }],
    config: { supervisor: { sim_args: ["--sim-startup-delay", "0"] } },
  });
  await waitForAllReady(llmux.url, 3);
});
afterAll(async () => {
  await llmux?.stop();
});

describe("an engine killed with SIGKILL", () => {
  test("is restarted and routable again within 5 s; no request fails meanwhile", async () => {
    const victim = (await adminInstances(llmux.url)).find((i) => i.id === "e2e-model-1");
    expect(victim?.state).toBe("ready");
    const results: { status: number; endpoint: string | null; atMs: number }[] = [];
    let isRunning = true;
    let sent = 0;
    // Distinct prompts share no prefix, so the prefix-aware scheduler spreads them over the engines.
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (isRunning) {
        const result = await complete(llmux.url, "e2e-model", {}, `request ${sent++}`);
        results.push({ status: result.status, endpoint: result.endpoint, atMs: performance.now() });
      }
    });
    await Bun.sleep(300);
    const killedAtMs = performance.now();
    process.kill(victim?.pid ?? -1, "SIGKILL");

    const restarted = await waitForInstances(
      llmux.url,
      (list) => list.some((i) => i.id === "e2e-model-1" && i.state === "ready" && i.restarts === 1),
      5_000,
      "e2e-model-1 ready again",
    );
    const readyAfterMs = performance.now() - killedAtMs;
    const servedAgain = async () => {
      while (!results.some((r) => r.endpoint === "e2e-model-1" && r.atMs > killedAtMs + readyAfterMs)) {
        await Bun.sleep(10);
      }
      return performance.now() - killedAtMs;
    };
    const servedAfterMs = await Promise.race([
      servedAgain(),
      Bun.sleep(5_000).then(() => Number.POSITIVE_INFINITY),
    ]);
    isRunning = false;
    await Promise.all(clients);

    const newPid = restarted.find((i) => i.id === "e2e-model-1")?.pid;
    expect(newPid).not.toBe(victim?.pid);
    expect(restarted.find((i) => i.id === "e2e-model-1")?.lastError).toBe(
      "supervisor_engine_exited: killed by SIGKILL",
    );
    expect(readyAfterMs).toBeLessThan(5_000);
    expect(servedAfterMs).toBeLessThan(5_000);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
    // The restart waits out a backoff of at least 800 ms (1 s - 20 % jitter): the engine is surely down then.
    const duringOutage = results.filter((r) => r.atMs > killedAtMs + 100 && r.atMs < killedAtMs + 700);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.every((r) => r.endpoint !== "e2e-model-1")).toBe(true);
  });
});
