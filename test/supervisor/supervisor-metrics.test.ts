// The supervisor series are read at scrape time: instances by state, each instance's state and restarts,
// the supervisor-wide counters, and nothing at all while no supervisor runs.
import { describe, expect, test } from "bun:test";
import {
  type InstanceSnapshot,
  registerSupervisorMetrics,
  type SupervisorCounters,
  type SupervisorMetricSource,
} from "../../src/supervisor/index.ts";
import { createMetricsRegistry } from "../../src/telemetry/index.ts";
import { samplesOf } from "../helpers/exposition.ts";
import { instanceSnapshot } from "./instance-snapshot.ts";

function instance(id: string, state: InstanceSnapshot["state"], restarts: number): InstanceSnapshot {
  return instanceSnapshot(id, state, { restarts });
}

const COUNTERS: SupervisorCounters = {
  spawnFailures: 1,
  crashes: 4,
  readinessTimeouts: 0,
  restarts: 3,
  outputReadErrors: 0,
  drainHookErrors: 0,
  listenerErrors: 0,
  pidFileErrors: 0,
};

describe("registerSupervisorMetrics", () => {
  test("counts instances by state, one-hot state and restarts per instance, and the supervisor's counters", async () => {
    let instances = [instance("m-0", "ready", 0), instance("m-1", "crashed", 3), instance("m-2", "ready", 0)];
    const source: SupervisorMetricSource = { instances: () => instances, counters: () => COUNTERS };
    const registry = createMetricsRegistry();
    registerSupervisorMetrics(registry, () => source);
    let text = await registry.metrics();
    expect(samplesOf(text, "llmux_supervisor_instances")).toEqual([
      '{state="starting"} 0',
      '{state="ready"} 2',
      '{state="draining"} 0',
      '{state="stopped"} 0',
      '{state="crashed"} 1',
      '{state="failed"} 0',
    ]);
    const m1 = 'instance="m-1",model="m",role="both"';
    expect(samplesOf(text, "llmux_supervisor_instance_state").filter((s) => s.includes("m-1"))).toEqual([
      `{${m1},state="starting"} 0`,
      `{${m1},state="ready"} 0`,
      `{${m1},state="draining"} 0`,
      `{${m1},state="stopped"} 0`,
      `{${m1},state="crashed"} 1`,
      `{${m1},state="failed"} 0`,
    ]);
    expect(samplesOf(text, "llmux_supervisor_instance_restarts_total")).toContain(`{${m1}} 3`);
    expect(samplesOf(text, "llmux_supervisor_restarts_total")).toEqual([" 3"]);
    expect(samplesOf(text, "llmux_supervisor_crashes_total")).toEqual([" 4"]);
    expect(samplesOf(text, "llmux_supervisor_spawn_failures_total")).toEqual([" 1"]);

    instances = [instance("m-0", "ready", 0)];
    text = await registry.metrics();
    expect(text.includes('instance="m-1"')).toBe(false);
    expect(samplesOf(text, "llmux_supervisor_instances")).toContain('{state="ready"} 1');
  });

  test("has no instance series and zero counters while no supervisor runs", async () => {
    const registry = createMetricsRegistry();
    registerSupervisorMetrics(registry, () => null);
    const samples = (await registry.metrics())
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(samples.length).toBe(8);
    expect(samples.every((line) => /^llmux_supervisor_[a-z_]+_total 0$/.test(line))).toBe(true);
  });
});
