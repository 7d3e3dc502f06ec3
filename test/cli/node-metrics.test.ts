// Node-level series: build info, and plugin failures that keep counting up when a reload swaps the
// scheduler; the pool's and supervisor's series are registered on the same registry.
import { describe, expect, test } from "bun:test";
import { buildInfo } from "../../src/cli/build-info.ts";
import { registerNodeMetrics } from "../../src/cli/node-metrics.ts";
import { EndpointPool } from "../../src/pool/index.ts";
import type { Scheduler } from "../../src/scheduler/index.ts";
import { createMetricsRegistry } from "../../src/telemetry/index.ts";
import { samplesOf } from "../helpers/exposition.ts";

/** A scheduler that never schedules and reports `failures` as its plugin failure counts. */
function failingScheduler(failures: Map<string, { count: number }>): Scheduler {
  return {
    schedule: () => ({ ok: false, code: "scheduler_no_endpoints", message: "none" }),
    pluginFailures: () => failures,
  };
}

describe("registerNodeMetrics", () => {
  test("exports build info, plugin failures across a scheduler swap, and the engine series", async () => {
    const first = new Map([["queue-scorer", { count: 2 }]]);
    let scheduler = failingScheduler(first);
    const pool = new EndpointPool({ now: () => 0 });
    const registry = createMetricsRegistry();
    registerNodeMetrics(registry, { pool, now: () => 0, scheduler: () => scheduler, supervisor: () => null });

    let text = await registry.metrics();
    const info = buildInfo();
    expect(samplesOf(text, "llmux_build_info")).toEqual([
      `{version="${info.version}",commit="${info.commit}",bun_version="${info.bunVersion}"} 1`,
    ]);
    expect(samplesOf(text, "llmux_scheduler_plugin_failures_total")).toEqual(['{plugin="queue-scorer"} 2']);
    expect(text).toContain("# TYPE llmux_engine_waiting_requests gauge");
    expect(text).toContain("# TYPE llmux_supervisor_instances gauge");

    first.set("queue-scorer", { count: 3 });
    text = await registry.metrics();
    expect(samplesOf(text, "llmux_scheduler_plugin_failures_total")).toEqual(['{plugin="queue-scorer"} 3']);

    // A reload's new scheduler starts from 0; the exported counter adds its failures to the old ones.
    scheduler = failingScheduler(new Map([["queue-scorer", { count: 1 }]]));
    text = await registry.metrics();
    expect(samplesOf(text, "llmux_scheduler_plugin_failures_total")).toEqual(['{plugin="queue-scorer"} 4']);
  });
});
