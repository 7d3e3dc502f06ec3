import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { createPlan, formatProblems } from "../../src/supervisor/plan.ts";
import { configOf } from "./config-fixture.ts";

const FIXTURES = resolve(import.meta.dir, "../fixtures/supervisor");

describe("createPlan", () => {
  test("engine auto picks vLLM where nvidia-smi finds GPUs and vllm is on PATH", async () => {
    const config = configOf({
      engines: [{ model: "org/m", replicas: 8 }],
      supervisor: { base_port: 41_000, kv_events_base_port: 41_100 },
    });
    const result = await createPlan({
      engines: config.engines,
      supervisor: config.supervisor,
      env: { PATH: `${FIXTURES}:/usr/bin:/bin` },
      probePort: async () => null,
    });
    if (!result.ok) throw new Error(formatProblems(result.problems));
    expect(result.plan.instances.map((i) => [i.engine, i.gpus])).toEqual(
      Array.from({ length: 8 }, (_, gpu) => ["vllm", [gpu]]),
    );
  });

  test("engine auto falls back to sim without nvidia-smi", async () => {
    const config = configOf({ engines: [{ model: "org/m", replicas: 2 }] });
    const result = await createPlan({
      engines: config.engines,
      supervisor: config.supervisor,
      env: { PATH: "/nonexistent" },
      probePort: async () => null,
    });
    expect(result.ok && result.plan.instances.map((i) => i.engine)).toEqual(["sim", "sim"]);
    expect(result.ok && result.plan.gpuReport).toBe("no GPUs: nvidia-smi is not on PATH");
  });

  test("reports a port something else listens on, with how to find it", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const config = configOf({
        engines: [{ model: "org/m" }],
        supervisor: { engine: "sim", base_port: listener.port, kv_events_base_port: 42_100 },
      });
      const result = await createPlan({
        engines: config.engines,
        supervisor: config.supervisor,
        env: { PATH: "/nonexistent" },
      });
      if (result.ok) throw new Error("expected a busy port");
      expect(result.problems.map((p) => p.message)).toEqual([
        `port ${listener.port} for m-0 HTTP cannot be bound (EADDRINUSE)`,
      ]);
      expect(result.problems[0]?.fix).toContain(`ss -ltnp 'sport = :${listener.port}'`);
    } finally {
      listener.stop(true);
    }
  });

  test("formats every problem with its fix", () => {
    expect(
      formatProblems([{ path: "engines[0].gpus", message: "GPU 9 is not visible", fix: "pin visible GPUs" }]),
    ).toBe(
      "supervisor_placement_invalid: the engines cannot be placed on this host as configured (1 problem)\n  engines[0].gpus: GPU 9 is not visible\n    fix: pin visible GPUs",
    );
  });
});
