import { afterAll, afterEach, describe, expect, test } from "bun:test";
import type { Supervisor } from "../../src/supervisor/index.ts";
import { simCommand } from "../../src/supervisor/index.ts";
import { isProcessAlive, waitFor, waitUntilGone } from "./os-processes.ts";
import { realSupervisor } from "./real-supervisor.ts";
import { removeScratchDirs } from "./scratch-dir.ts";

afterAll(removeScratchDirs);

const running: Supervisor[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((supervisor) => supervisor.stop()));
});

describe("supervisor with the built-in sim", () => {
  test("launches a prefill and a decode sim (`llmux sim`) until both are ready and serve the model", async () => {
    const pd = {
      model: "Qwen/Qwen3-0.6B",
      served_model_name: ["qwen"],
      extra_args: ["--sim-profile", "tiny-cpu"],
    };
    const { supervisor } = await realSupervisor(
      [
        { ...pd, role: "prefill" },
        { ...pd, role: "decode" },
      ],
      {},
      simCommand(),
    );
    running.push(supervisor);
    await supervisor.start();
    await waitFor(() => supervisor.instances().every((i) => i.state === "ready"), 20_000, "both sims ready");
    const instances = supervisor.instances();
    expect(instances.map((i) => [i.id, i.role, i.engine])).toEqual([
      ["qwen3-0.6b-prefill-0", "prefill", "sim"],
      ["qwen3-0.6b-decode-0", "decode", "sim"],
    ]);
    for (const instance of instances) {
      const models = (await (await fetch(`http://127.0.0.1:${instance.port}/v1/models`)).json()) as {
        data: { id: string }[];
      };
      expect(models.data.map((m) => m.id)).toEqual(["qwen"]);
    }
    const pids = instances.map((i) => i.pid ?? 0);
    await supervisor.stop();
    await waitUntilGone(pids, 2_000);
    expect(pids.filter(isProcessAlive)).toEqual([]);
  });
});
