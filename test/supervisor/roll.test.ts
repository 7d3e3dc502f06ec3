import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  createEngineRoller,
  describeStep,
  type EngineRoll,
  type RollerDeps,
} from "../../src/supervisor/index.ts";
import { configOf } from "./config-fixture.ts";
import {
  type FakeSupervisor,
  fakeSupervisor,
  placeSims,
  portOf,
  SILENT,
  settleWithin,
} from "./fake-supervisor.ts";
import { removeScratchDirs } from "./scratch-dir.ts";

afterAll(removeScratchDirs);

const MODEL = { model: "org/m", replicas: 2 };
const SEEDED = { ...MODEL, extra_args: ["--sim-seed", "5"] };

async function started(engines: unknown[], settings: Record<string, unknown> = {}) {
  const fake = fakeSupervisor(engines, settings);
  await fake.supervisor.start();
  await fake.time.advance(100);
  expect(fake.supervisor.instances().every((i) => i.state === "ready")).toBe(true);
  fake.events.length = 0;
  fake.readyCounts.length = 0;
  return fake;
}

function rollerOf(fake: FakeSupervisor, deps: Partial<RollerDeps> = {}) {
  return createEngineRoller(fake.supervisor, {
    logger: SILENT,
    probePort: async () => null,
    which: () => null,
    ...deps,
  });
}

function prepared(fake: FakeSupervisor, engines: unknown[], roller = rollerOf(fake)): EngineRoll {
  const config = configOf({ engines, supervisor: { ...fake.config.supervisor } });
  const result = roller.prepare({ engines: config.engines, supervisor: config.supervisor });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.roll;
}

describe("engine roll on fake engines", () => {
  test("replaces changed engines one at a time: drain, stop, start, ready, then the next", async () => {
    const fake = await started([MODEL]);
    const oldPids = fake.supervisor.instances().map((i) => i.pid);
    const roller = rollerOf(fake);
    const roll = prepared(fake, [SEEDED], roller);
    expect(await settleWithin(fake.time, roller.run(roll))).toBe("completed");
    expect(fake.events).toEqual([
      "m-0 draining",
      "drain m-0",
      "m-0 stopped",
      "m-0 starting",
      "m-0 ready",
      "m-1 draining",
      "drain m-1",
      "m-1 stopped",
      "m-1 starting",
      "m-1 ready",
    ]);
    // Never both down: at every change at least one of the two serves.
    expect(Math.min(...fake.readyCounts)).toBe(1);
    const now = fake.supervisor.instances();
    expect(now.map((i) => i.state)).toEqual(["ready", "ready"]);
    expect(now.map((i) => i.pid).some((pid) => oldPids.includes(pid))).toBe(false);
    expect(fake.supervisor.launchSpec("m-1")?.argv.slice(-2)).toEqual(["--sim-seed", "5"]);
    expect(fake.spawner.processes.slice(0, 2).map((p) => p.signals)).toEqual([["SIGTERM"], ["SIGTERM"]]);
    expect(roller.isBehind()).toBe(false);
  });

  test("keeps the pid file in step: new pids in, replaced and removed ones out", async () => {
    const fake = await started([MODEL]);
    const roller = rollerOf(fake);
    await settleWithin(fake.time, roller.run(prepared(fake, [{ ...SEEDED, replicas: 3 }], roller)));
    const recordedPids = () =>
      (JSON.parse(readFileSync(fake.pidFile, "utf8")) as { engines: { id: string; pid: number }[] }).engines
        .map((e) => `${e.id}:${e.pid}`)
        .sort();
    expect(recordedPids()).toEqual(["m-0:1002", "m-1:1003", "m-2:1004"]);
    await settleWithin(fake.time, roller.run(prepared(fake, [{ ...SEEDED, replicas: 1 }], roller)));
    expect(recordedPids()).toEqual(["m-0:1002"]);
    expect(fake.supervisor.instances().map((i) => i.id)).toEqual(["m-0"]);
    expect(fake.supervisor.plan().instances.map((i) => i.id)).toEqual(["m-0"]);
  });

  test("adds a replica without touching the running ones", async () => {
    const fake = await started([MODEL]);
    const roller = rollerOf(fake);
    const roll = prepared(fake, [{ ...MODEL, replicas: 3 }], roller);
    expect(await settleWithin(fake.time, roller.run(roll))).toBe("completed");
    expect(fake.events).toEqual(["m-2 starting", "m-2 ready"]);
    expect(fake.supervisor.instances().map((i) => [i.id, i.pid])).toEqual([
      ["m-0", 1000],
      ["m-1", 1001],
      ["m-2", 1002],
    ]);
    expect(portOf(fake.spawner.latest().request.argv)).toBe("9102");
  });

  test("placement problems are returned and nothing is touched", async () => {
    const fake = await started([MODEL]);
    const roller = rollerOf(fake);
    const config = configOf({ engines: [{ ...MODEL, role: "prefill" }] });
    const result = roller.prepare({ engines: config.engines, supervisor: fake.config.supervisor });
    expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual(["engines[0].role"]);
    expect(fake.spawner.processes).toHaveLength(2);
  });

  test("a port held by another program stops the roll before any engine is touched", async () => {
    const fake = await started([MODEL]);
    const probed: number[] = [];
    const roller = rollerOf(fake, {
      probePort: async (_host, port) => {
        probed.push(port);
        return port === 9102 ? "EADDRINUSE" : null;
      },
    });
    const roll = prepared(fake, [{ ...SEEDED, replicas: 3 }], roller);
    expect(await settleWithin(fake.time, roller.run(roll))).toBe("ports_busy");
    // The running engines' own ports are not probed: they are busy by design.
    expect(probed.includes(9100) || probed.includes(9101)).toBe(false);
    expect(fake.events).toEqual([]);
    expect(roller.isBehind()).toBe(true);
  });

  test("an engine that never becomes ready stops the roll; the rest keep their old launch spec", async () => {
    const fake = await started([MODEL], { max_restarts: 1 });
    const roller = rollerOf(fake);
    const roll = prepared(fake, [{ ...MODEL, env: { FAKE_EXIT: "1" } }], roller);
    expect(await settleWithin(fake.time, roller.run(roll))).toBe("engine_failed");
    expect(fake.supervisor.instances().map((i) => [i.id, i.state, i.pid])).toEqual([
      ["m-0", "failed", null],
      ["m-1", "ready", 1001],
    ]);
    expect(fake.supervisor.launchSpec("m-1")?.env.FAKE_EXIT).toBeUndefined();
    expect(roller.isBehind()).toBe(true);
    // The next roll to the old config relaunches the failed engine and leaves the healthy one alone.
    const back = prepared(fake, [MODEL], roller);
    expect(back.steps.map(describeStep)).toEqual(["replace m-0"]);
    expect(await settleWithin(fake.time, roller.run(back))).toBe("completed");
    expect(fake.supervisor.instances().map((i) => i.state)).toEqual(["ready", "ready"]);
  });

  test("stop() during a roll interrupts it and leaves no engine process running", async () => {
    const fake = await started([MODEL]);
    const roller = rollerOf(fake);
    const running = roller.run(prepared(fake, [{ ...SEEDED, env: { FAKE_EXIT: "1" } }], roller));
    expect(roller.isRolling()).toBe(true);
    await expect(roller.run(prepared(fake, [MODEL], roller))).rejects.toThrow("already running");
    await fake.time.advance(50);
    const stopped = fake.supervisor.stop();
    expect(await settleWithin(fake.time, running)).toBe("interrupted");
    await settleWithin(fake.time, stopped);
    expect(fake.spawner.processes.every((p) => !p.isGroupAlive())).toBe(true);
    expect(fake.supervisor.instances().map((i) => i.state)).toEqual(["stopped", "stopped"]);
    const { plan } = placeSims([{ ...MODEL, replicas: 3 }]);
    const third = plan.instances[2];
    if (third === undefined) throw new Error("no third instance");
    expect(await fake.supervisor.add(third, plan)).toBe("stopped");
    expect(fake.spawner.processes.filter((p) => portOf(p.request.argv) === "9102")).toEqual([]);
  });
});
