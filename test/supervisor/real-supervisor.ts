// Builds supervisors over real child processes (the fake engine, or the sim) on ports that are free.
import { join, resolve } from "node:path";
import type { Config } from "../../src/config/index.ts";
import {
  createPlan,
  createSupervisor,
  formatProblems,
  type Plan,
  type Supervisor,
} from "../../src/supervisor/index.ts";
import { createLogger } from "../../src/telemetry/index.ts";
import { configOf } from "./config-fixture.ts";
import { scratchDir } from "./scratch-dir.ts";

export const FAKE_ENGINE = resolve(import.meta.dir, "../fixtures/supervisor/fake-engine.ts");

/** A plan whose every port was free a moment ago, for sim engines (no GPUs needed). */
export async function planOnFreePorts(
  engines: unknown[],
  supervisor: Record<string, unknown> = {},
): Promise<{ config: Config; plan: Plan }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const basePort = 20_000 + Math.floor(Math.random() * 30_000);
    const config = configOf({
      engines,
      supervisor: {
        engine: "sim",
        base_port: basePort,
        kv_events_base_port: basePort + 200,
        nixl_side_channel_base_port: basePort + 400,
        ...supervisor,
      },
    });
    const result = await createPlan({
      engines: config.engines,
      supervisor: config.supervisor,
      env: { PATH: "/nonexistent" },
    });
    if (result.ok) return { config, plan: result.plan };
    if (!result.problems.every((p) => p.message.includes("cannot be bound")))
      throw new Error(formatProblems(result.problems));
  }
  throw new Error("no free port range found");
}

export interface RealSupervisor {
  readonly supervisor: Supervisor;
  readonly plan: Plan;
  readonly pidFile: string;
  readonly workDir: string;
}

/** A supervisor with fast polling and short backoff, running `simCommand` (the fake engine by default). */
export async function realSupervisor(
  engines: unknown[],
  supervisor: Record<string, unknown> = {},
  simCommand: readonly string[] = [process.execPath, FAKE_ENGINE],
): Promise<RealSupervisor> {
  const { config, plan } = await planOnFreePorts(engines, supervisor);
  const workDir = scratchDir();
  const pidFile = join(workDir, "llmux.pid");
  return {
    plan,
    pidFile,
    workDir,
    supervisor: createSupervisor({
      plan,
      config: config.supervisor,
      logger: createLogger({ level: process.env.LLMUX_TEST_LOG ?? "silent", format: "json" }),
      pidFile,
      simCommand,
      timings: { pollIntervalMs: 50, probeTimeoutMs: 1_000 },
      backoff: { initialDelayMs: 100, maxDelayMs: 1_000 },
    }),
  };
}
