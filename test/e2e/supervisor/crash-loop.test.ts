// An engine that keeps crashing (--sim-crash-after) is given up after supervisor.max_restarts:
// /admin/instances shows it failed, /ready names its model as not ready, the healthy model still serves.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { adminInstances, complete, type NodeProcess, startNode, waitForInstances } from "./node-process.ts";

let node: NodeProcess;
beforeAll(async () => {
  node = await startNode({
    engines: [
      { model: "steady-model", replicas: 1, extra_args: ["--sim-profile", "tiny-cpu"] },
      {
        model: "crashy-model",
        replicas: 1,
        extra_args: ["--sim-profile", "tiny-cpu", "--sim-crash-after", "0.3"],
      },
    ],
    config: { supervisor: { max_restarts: 2 } },
    waitFor: "health",
  });
});
afterAll(async () => {
  await node?.stop();
});

describe("a crash-looping engine", () => {
  test("stops being restarted after max_restarts and shows as failed", async () => {
    const instances = await waitForInstances(
      node.url,
      (list) => list.some((i) => i.id === "crashy-model-0" && i.state === "failed"),
      20_000,
      "crashy-model-0 failed",
    );
    const crashy = instances.find((i) => i.id === "crashy-model-0");
    expect(crashy).toMatchObject({ state: "failed", pid: null, restarts: 2, inFlight: 0 });
    expect(crashy?.lastError).toStartWith("supervisor_crash_loop: 3 crashes within 600 s (max_restarts 2)");
    expect(instances.find((i) => i.id === "steady-model-0")?.state).toBe("ready");
    // Giving up is final: no later attempt starts the engine again.
    await Bun.sleep(1_500);
    expect((await adminInstances(node.url)).find((i) => i.id === "crashy-model-0")).toMatchObject({
      state: "failed",
      restarts: 2,
      pid: null,
    });
  });

  test("/ready is 503 and names the model without a ready engine", async () => {
    const response = await fetch(`${node.url}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: "not_ready",
      models: [
        { model: "steady-model", readyEndpoints: 1, detail: "ok" },
        { model: "crashy-model", readyEndpoints: 0, detail: "no ready engine serves this model" },
      ],
    });
  });

  test("the healthy model keeps serving", async () => {
    const result = await complete(node.url, "steady-model");
    expect(result).toMatchObject({ status: 200, endpoint: "steady-model-0" });
  });

  test("the crash loop is logged with the instance id", () => {
    expect(node.logs()).toContain('"instance":"crashy-model-0"');
    expect(node.logs()).toContain("supervisor_crash_loop");
  });
});
