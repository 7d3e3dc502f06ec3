import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { InstanceState, Supervisor } from "../../src/supervisor/index.ts";
import { forEachLine } from "../../src/telemetry/index.ts";
import { isProcessAlive, waitFor, waitUntilGone } from "./os-processes.ts";
import { planOnFreePorts, realSupervisor } from "./real-supervisor.ts";
import { removeScratchDirs, scratchDir } from "./scratch-dir.ts";

afterAll(removeScratchDirs);

const running: Supervisor[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((supervisor) => supervisor.stop()));
});

async function started(
  engines: unknown[],
  settings: Record<string, unknown> = {},
  simCommand?: readonly string[],
) {
  const real = await realSupervisor(engines, settings, simCommand);
  running.push(real.supervisor);
  const history = new Map<string, InstanceState[]>();
  const pids = new Set<number>();
  real.supervisor.onChange(({ instance }) => {
    history.set(instance.id, [...(history.get(instance.id) ?? []), instance.state]);
    if (instance.pid !== null) pids.add(instance.pid);
  });
  await real.supervisor.start();
  const allIn = (state: InstanceState) => () => real.supervisor.instances().every((i) => i.state === state);
  return { ...real, history, pids, allIn };
}

describe("supervisor with real engine processes", () => {
  test("launches engines until ready, records their pids, and stops every one on stop()", async () => {
    const { supervisor, pidFile, history, allIn } = await started([{ model: "fake/a", replicas: 2 }]);
    await waitFor(allIn("ready"), 10_000, "both ready");
    const pids = supervisor.instances().map((i) => i.pid ?? 0);
    // Engines run under setpriv --pdeathsig: they must survive the supervisor's own activity.
    for (let i = 0; i < 20; i++) await fetch(`http://127.0.0.1:${supervisor.instances()[0]?.port}/health`);
    await Bun.sleep(500);
    expect(supervisor.instances().map((i) => [i.state, i.restarts, i.pid])).toEqual(
      pids.map((pid) => ["ready", 0, pid]),
    );
    expect(pids.every((pid) => isProcessAlive(pid))).toBe(true);
    const recorded = JSON.parse(readFileSync(pidFile, "utf8")) as {
      llmuxPid: number;
      engines: { pid: number }[];
    };
    expect(recorded.llmuxPid).toBe(process.pid);
    expect(recorded.engines.map((e) => e.pid).sort()).toEqual([...pids].sort());
    await supervisor.stop();
    await waitUntilGone(pids, 2_000);
    expect(existsSync(pidFile)).toBe(false);
    expect([...history.values()]).toEqual([
      ["starting", "ready", "draining", "stopped"],
      ["starting", "ready", "draining", "stopped"],
    ]);
  });

  test("restarts an engine killed with SIGKILL and it is ready again within 5 s", async () => {
    const { supervisor, history, allIn } = await started([{ model: "fake/a" }]);
    await waitFor(allIn("ready"), 10_000, "ready");
    const firstPid = supervisor.instances()[0]?.pid ?? 0;
    const killedAtMs = performance.now();
    process.kill(firstPid, "SIGKILL");
    await waitFor(() => supervisor.instances()[0]?.restarts === 1 && allIn("ready")(), 5_000, "ready again");
    expect(performance.now() - killedAtMs).toBeLessThan(5_000);
    const again = supervisor.instances()[0];
    expect(again?.pid).not.toBe(firstPid);
    expect(again?.lastError).toBe("supervisor_engine_exited: killed by SIGKILL");
    expect([...history.values()][0]).toEqual(["starting", "ready", "crashed", "starting", "ready"]);
  });

  test("a crash-looping engine ends failed after max_restarts and nothing of it keeps running", async () => {
    const { supervisor, pids } = await started([{ model: "fake/a", env: { FAKE_CRASH_AFTER_MS: "50" } }], {
      max_restarts: 2,
    });
    const failed = await waitFor(
      () => supervisor.instances().find((i) => i.state === "failed"),
      10_000,
      "failed",
    );
    expect(pids.size).toBe(3);
    expect([...pids].filter(isProcessAlive)).toEqual([]);
    expect(failed.lastError).toStartWith(
      "supervisor_crash_loop: 3 crashes within 600 s (max_restarts 2), last:",
    );
    expect(failed).toMatchObject({ pid: null, restarts: 2 });
  });

  test("stop reaches the whole process group: a grandchild that ignores SIGTERM is SIGKILLed after stop_grace_s", async () => {
    const grandchildPidFile = join(scratchDir(), "grandchild.pid");
    const env = {
      FAKE_GRANDCHILD_PIDFILE: grandchildPidFile,
      FAKE_GRANDCHILD_IGNORES_TERM: "1",
      FAKE_ON_TERM: "leave-children",
    };
    const { supervisor, allIn } = await started([{ model: "fake/a", env }], { stop_grace_s: 1 });
    await waitFor(allIn("ready"), 10_000, "ready");
    const enginePid = supervisor.instances()[0]?.pid ?? 0;
    const grandchildPid = Number(readFileSync(grandchildPidFile, "utf8"));
    expect(isProcessAlive(grandchildPid)).toBe(true);
    const stopStartedMs = performance.now();
    await supervisor.stop();
    const stopMs = performance.now() - stopStartedMs;
    expect(isProcessAlive(enginePid)).toBe(false);
    expect(isProcessAlive(grandchildPid)).toBe(false);
    expect(stopMs).toBeGreaterThanOrEqual(900);
    expect(stopMs).toBeLessThan(3_000);
  });

  test("an engine that ignores SIGTERM is SIGKILLed after stop_grace_s", async () => {
    const { supervisor, allIn } = await started([{ model: "fake/a", env: { FAKE_ON_TERM: "ignore" } }], {
      stop_grace_s: 1,
    });
    await waitFor(allIn("ready"), 10_000, "ready");
    const enginePid = supervisor.instances()[0]?.pid ?? 0;
    await supervisor.stop();
    expect(isProcessAlive(enginePid)).toBe(false);
    expect(supervisor.instances()[0]?.state).toBe("stopped");
  });

  test("after SIGKILL of the supervising process no engine survives it by more than a few seconds", async () => {
    await withSupervisingProcess({}, async ({ parent, enginePid, grandchildPid }) => {
      process.kill(parent.pid, "SIGKILL");
      await parent.exited;
      const goneAfterMs = await waitUntilGone([enginePid, grandchildPid], 5_000);
      expect(goneAfterMs).toBeLessThan(5_000);
    });
  });

  test("without setpriv the same engine would outlive a SIGKILLed supervisor (the control)", async () => {
    await withSupervisingProcess({ SUPERVISE_ONE_WITHOUT_SETPRIV: "1" }, async ({ parent, enginePid }) => {
      process.kill(parent.pid, "SIGKILL");
      await parent.exited;
      await Bun.sleep(2_000);
      expect(isProcessAlive(enginePid)).toBe(true);
    });
  });
});

interface SupervisingProcess {
  readonly parent: ReturnType<typeof Bun.spawn>;
  readonly enginePid: number;
  readonly grandchildPid: number;
}

/**
 * Runs test/fixtures/supervisor/supervise-one.ts until its engine is ready, hands it to `body`,
 * and afterwards kills whatever of it is left, whatever `body` did.
 */
async function withSupervisingProcess(
  env: Record<string, string>,
  body: (run: SupervisingProcess) => Promise<void>,
) {
  const { plan } = await planOnFreePorts([{ model: "fake/engine" }]);
  const parent = Bun.spawn([process.execPath, SUPERVISE_ONE, String(plan.instances[0]?.port), scratchDir()], {
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "inherit",
  });
  const pids: number[] = [];
  try {
    const line = await firstLine(parent.stdout, 15_000);
    const run = { parent, ...(JSON.parse(line) as { enginePid: number; grandchildPid: number }) };
    pids.push(run.enginePid, run.grandchildPid);
    expect([isProcessAlive(run.enginePid), isProcessAlive(run.grandchildPid)]).toEqual([true, true]);
    await body(run);
  } finally {
    parent.kill("SIGKILL");
    // The grandchild is in the engine's process group, so one group kill ends both.
    if (pids[0] !== undefined && isProcessAlive(pids[0])) process.kill(-pids[0], "SIGKILL");
    await waitUntilGone(pids, 5_000);
  }
}

async function firstLine(stream: ReadableStream<Uint8Array>, timeoutMs: number): Promise<string> {
  const lines: string[] = [];
  void forEachLine(stream, (line) => lines.push(line));
  return await waitFor(() => lines[0], timeoutMs, "the supervising process to report its engine ready");
}

const SUPERVISE_ONE = resolve(import.meta.dir, "../fixtures/supervisor/supervise-one.ts");
