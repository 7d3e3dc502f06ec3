// A supervisor over fake engine processes and fake time, for lifecycle and roll-order tests: an
// engine is healthy as soon as it is spawned, unless its env says FAKE_EXIT (it exits with code 2).
import { join } from "node:path";
import type { Config } from "../../src/config/index.ts";
import { planPlacement } from "../../src/supervisor/placement.ts";
import { createSupervisor, type Supervisor } from "../../src/supervisor/supervisor.ts";
import type { Plan } from "../../src/supervisor/types.ts";
import { createLogger } from "../../src/telemetry/index.ts";
import { configOf, fakeGpus } from "./config-fixture.ts";
import { createFakeSpawner, type FakeSpawner } from "./fake-engine-process.ts";
import { FakeTime } from "./fake-time.ts";
import { scratchDir } from "./scratch-dir.ts";

export const SIM_COMMAND = ["sim"] as const;
export const SILENT = createLogger({ level: process.env.LLMUX_TEST_LOG ?? "silent", format: "json" });

export interface FakeSupervisor {
  readonly supervisor: Supervisor;
  readonly config: Config;
  readonly plan: Plan;
  readonly time: FakeTime;
  readonly spawner: FakeSpawner;
  readonly pidFile: string;
  /** "<id> <state>" per change and "drain <id>" per drain hook call, in order. */
  readonly events: string[];
  /** How many instances are ready after each change. */
  readonly readyCounts: number[];
}

/** Sim engines on fixed ports (nothing binds them), placed as `llmux up` would place them. */
export function placeSims(engines: unknown[], supervisor: Record<string, unknown> = {}) {
  const config = configOf({ engines, supervisor: { engine: "sim", base_port: 9100, ...supervisor } });
  const { plan, problems } = planPlacement({
    engines: config.engines,
    supervisor: config.supervisor,
    discovery: fakeGpus(0),
    isVllmAvailable: false,
  });
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return { config, plan };
}

export function fakeSupervisor(engines: unknown[], settings: Record<string, unknown> = {}): FakeSupervisor {
  const { config, plan } = placeSims(engines, settings);
  const time = new FakeTime();
  const spawner = createFakeSpawner();
  const events: string[] = [];
  const readyCounts: number[] = [];
  const pidFile = join(scratchDir(), "llmux.pid");
  const supervisor = createSupervisor({
    plan,
    config: config.supervisor,
    logger: SILENT,
    pidFile,
    simCommand: SIM_COMMAND,
    spawn(request) {
      spawner.spawn(request);
      const process = spawner.latest();
      if (request.env.FAKE_EXIT === undefined) process.isHealthy = true;
      else queueMicrotask(() => process.exit({ code: 2, signal: null }));
      return process;
    },
    probe: async (url) => {
      const port = new URL(url).port;
      const serving = spawner.processes.findLast((p) => portOf(p.request.argv) === port);
      return serving?.isHealthy ?? false;
    },
    clock: time,
    timers: time,
    rng: () => 0.5,
    timings: { pollIntervalMs: 100, probeTimeoutMs: 100 },
    backoff: { initialDelayMs: 100, maxDelayMs: 100 },
    drain: async (instance) => {
      events.push(`drain ${instance.id}`);
    },
  });
  supervisor.onChange(({ instance }) => {
    events.push(`${instance.id} ${instance.state}`);
    readyCounts.push(supervisor.instances().filter((i) => i.state === "ready").length);
  });
  return { supervisor, config, plan, time, spawner, pidFile, events, readyCounts };
}

/** Advances fake time in 100 ms steps until `promise` settles; fails after `limitMs` of fake time. */
export async function settleWithin<T>(time: FakeTime, promise: Promise<T>, limitMs = 60_000): Promise<T> {
  let isDone = false;
  const watched = promise.finally(() => {
    isDone = true;
  });
  for (let elapsedMs = 0; !isDone; elapsedMs += 100) {
    if (elapsedMs > limitMs) throw new Error(`not settled within ${limitMs} ms of fake time`);
    await time.advance(100);
  }
  return watched;
}

/** The value after `--port` in an engine command line. */
export function portOf(argv: readonly string[]): string | undefined {
  return argv[argv.indexOf("--port") + 1];
}
