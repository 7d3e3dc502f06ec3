import { describe, expect, test } from "bun:test";
import { createInstance, type DrainHook, type SupervisorCounters } from "../../src/supervisor/instance.ts";
import { planPlacement } from "../../src/supervisor/placement.ts";
import { createRestartPolicy, DEFAULT_BACKOFF } from "../../src/supervisor/restart-policy.ts";
import type { InstanceChange } from "../../src/supervisor/types.ts";
import { createLogger } from "../../src/telemetry/index.ts";
import { configOf, fakeGpus } from "./config-fixture.ts";
import { createFakeSpawner } from "./fake-engine-process.ts";
import { FakeTime } from "./fake-time.ts";

const SECOND = 1000;

function setup(supervisor: Record<string, unknown> = {}) {
  const config = configOf({ engines: [{ model: "org/m" }], supervisor: { engine: "sim", ...supervisor } });
  const { plan } = planPlacement({
    engines: config.engines,
    supervisor: config.supervisor,
    discovery: fakeGpus(0),
    isVllmAvailable: false,
  });
  const planned = plan.instances[0];
  if (planned === undefined) throw new Error("no instance");
  const time = new FakeTime();
  const spawner = createFakeSpawner();
  const changes: InstanceChange[] = [];
  const counters: SupervisorCounters = {
    spawnFailures: 0,
    crashes: 0,
    readinessTimeouts: 0,
    restarts: 0,
    outputReadErrors: 0,
    drainHookErrors: 0,
    listenerErrors: 0,
    pidFileErrors: 0,
  };
  const instance = createInstance(
    planned,
    { argv: ["engine"], env: {} },
    plan.host,
    {
      spawn: spawner.spawn,
      probe: async () => spawner.processes.at(-1)?.isHealthy ?? false,
      clock: time,
      timers: time,
      logger: createLogger({ level: "silent", format: "json" }),
      counters,
      onChange: (change) => changes.push(change),
      // rng 0.5 makes the jitter factor exactly 1, so delays are the plain doubling sequence.
      policy: createRestartPolicy({
        ...DEFAULT_BACKOFF,
        maxRestarts: config.supervisor.max_restarts,
        windowMs: config.supervisor.restart_window_s * SECOND,
        rng: () => 0.5,
      }),
    },
    {
      readinessTimeoutMs: config.supervisor.readiness_timeout_s * SECOND,
      stopGraceMs: config.supervisor.stop_grace_s * SECOND,
      pollIntervalMs: 500,
      probeTimeoutMs: 2 * SECOND,
      progressLogIntervalMs: 30 * SECOND,
    },
  );
  const states = () => changes.map((change) => change.instance.state);
  return { instance, time, spawner, changes, states, counters };
}

describe("engine instance lifecycle", () => {
  test("becomes ready only once GET /health answers 200", async () => {
    const { instance, time, spawner, states } = setup();
    instance.start();
    await time.advance(2 * SECOND);
    expect(instance.snapshot().state).toBe("starting");
    spawner.latest().isHealthy = true;
    await time.advance(500);
    expect(states()).toEqual(["starting", "ready"]);
    expect(instance.snapshot()).toMatchObject({ pid: 1000, restarts: 0, uptimeMs: 2500, lastError: null });
  });

  test("restarts a crashed engine after 1 s, then 2 s, then 4 s", async () => {
    const { instance, time, spawner, counters } = setup();
    instance.start();
    const launchTimesMs: number[] = [];
    for (let crash = 0; crash < 3; crash++) {
      await time.advance(100);
      launchTimesMs.push(time.now() - 100);
      spawner.latest().exit({ code: 1, signal: null });
      await time.advance(0);
      expect(instance.snapshot()).toMatchObject({ state: "crashed", pid: null });
      await time.advance([1, 2, 4][crash]! * SECOND - 1);
      expect(spawner.processes).toHaveLength(crash + 1);
      await time.advance(1);
    }
    expect(spawner.processes).toHaveLength(4);
    expect(instance.snapshot().restarts).toBe(3);
    expect(instance.snapshot().lastError).toBe("supervisor_engine_exited: exited with code 1 while starting");
    expect(counters.crashes).toBe(3);
    expect(launchTimesMs).toEqual([0, 1100, 3200]);
  });

  test("stops restarting after max_restarts crashes within the window and stays failed", async () => {
    const { instance, time, spawner, states } = setup({ max_restarts: 2, restart_window_s: 600 });
    instance.start();
    for (let crash = 0; crash < 3; crash++) {
      await time.advance(100);
      spawner.latest().exit({ code: 3, signal: null });
      await time.advance(60 * SECOND);
    }
    await time.advance(600 * SECOND);
    expect(spawner.processes).toHaveLength(3);
    expect(states()).toEqual(["starting", "crashed", "starting", "crashed", "starting", "failed"]);
    expect(instance.snapshot().lastError).toBe(
      "supervisor_crash_loop: 3 crashes within 600 s (max_restarts 2), last: supervisor_engine_exited: exited with code 3 while starting",
    );
    await instance.stop();
    expect(instance.snapshot().state).toBe("failed");
  });

  test("starts a fresh backoff after the engine was ready for a healthy spell", async () => {
    const { instance, time, spawner } = setup();
    instance.start();
    const crashAfterReady = async (readyForMs: number) => {
      spawner.latest().isHealthy = true;
      await time.advance(500);
      await time.advance(readyForMs);
      spawner.latest().exit({ code: null, signal: "SIGSEGV" });
      await time.advance(0);
    };
    await crashAfterReady(0);
    await time.advance(1 * SECOND);
    await crashAfterReady(DEFAULT_BACKOFF.healthyResetMs - 1000);
    await time.advance(2 * SECOND);
    expect(spawner.processes).toHaveLength(3);
    // Ready for healthyResetMs: the next delay is 1 s again, not 4 s.
    await crashAfterReady(DEFAULT_BACKOFF.healthyResetMs);
    await time.advance(1 * SECOND);
    expect(spawner.processes).toHaveLength(4);
    expect(instance.snapshot().lastError).toBe("supervisor_engine_exited: killed by SIGSEGV");
  });

  test("treats a readiness timeout as a crash and terminates the process group", async () => {
    const { instance, time, spawner, counters } = setup({ readiness_timeout_s: 10 });
    instance.start();
    await time.advance(10 * SECOND);
    expect(spawner.processes[0]?.signals).toEqual(["SIGTERM"]);
    expect(instance.snapshot().state).toBe("crashed");
    expect(instance.snapshot().lastError).toStartWith(
      "supervisor_readiness_timeout: no 200 from GET /health within 10 s",
    );
    expect(counters.readinessTimeouts).toBe(1);
  });

  test("stop during the backoff ends stopped without another launch", async () => {
    const { instance, time, spawner, states } = setup();
    instance.start();
    await time.advance(100);
    spawner.latest().exit({ code: 1, signal: null });
    await time.advance(100);
    await instance.stop();
    await time.advance(60 * SECOND);
    expect(spawner.processes).toHaveLength(1);
    expect(states()).toEqual(["starting", "crashed", "stopped"]);
  });

  test("stop leaves the pool first, drains, then SIGTERM, and SIGKILL after stop_grace_s", async () => {
    const { instance, time, spawner, changes } = setup({ stop_grace_s: 5 });
    spawner.ignoresSigterm = true;
    instance.start();
    spawner.latest().isHealthy = true;
    await time.advance(500);
    const events: string[] = [];
    const drain: DrainHook = async (snapshot) => {
      events.push(`drain ${snapshot.state} after ${changes.at(-1)?.instance.state}`);
    };
    const stopped = instance.stop(drain);
    await time.advance(4 * SECOND);
    events.push(`signals ${spawner.latest().signals.join(",")}`);
    await time.advance(SECOND);
    await stopped;
    events.push(`signals ${spawner.latest().signals.join(",")}`);
    expect(events).toEqual(["drain draining after draining", "signals SIGTERM", "signals SIGTERM,SIGKILL"]);
    expect(changes.map((c) => c.instance.state)).toEqual(["starting", "ready", "draining", "stopped"]);
    expect(instance.snapshot().pid).toBeNull();
  });
});
