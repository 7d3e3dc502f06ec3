// Prometheus series of the supervised engines: instances by state, each instance's state and restarts,
// and the supervisor's event counters, read at scrape time. An instance removed by a reload leaves
// /metrics with it; the supervisor-wide counters keep its history.
import { type MetricsRegistry, registerCollected } from "../telemetry/index.ts";
import type { SupervisorCounters } from "./instance.ts";
import type { InstanceSnapshot, InstanceState } from "./types.ts";

/** What the series read; null while no supervisor runs (`llmux gateway`, or before `up` launched it). */
export interface SupervisorMetricSource {
  instances(): readonly InstanceSnapshot[];
  counters(): Readonly<SupervisorCounters>;
}

const INSTANCE_STATES: readonly InstanceState[] = [
  "starting",
  "ready",
  "draining",
  "stopped",
  "crashed",
  "failed",
];

const SUPERVISOR_COUNTERS: readonly (readonly [string, keyof SupervisorCounters, string])[] = [
  [
    "llmux_supervisor_restarts_total",
    "restarts",
    "Engine processes relaunched after a crash, once the restart backoff passed.",
  ],
  [
    "llmux_supervisor_crashes_total",
    "crashes",
    "Engine runs that ended without a stop request (exits, failed spawns, readiness timeouts).",
  ],
  ["llmux_supervisor_spawn_failures_total", "spawnFailures", "Engine processes that could not be started."],
  [
    "llmux_supervisor_readiness_timeouts_total",
    "readinessTimeouts",
    "Engines that did not become ready within supervisor.readiness_timeout_s.",
  ],
  ["llmux_supervisor_output_read_errors_total", "outputReadErrors", "Failures reading an engine's output."],
  ["llmux_supervisor_drain_hook_errors_total", "drainHookErrors", "Drain hooks that threw before a stop."],
  ["llmux_supervisor_listener_errors_total", "listenerErrors", "State-change listeners that threw."],
  ["llmux_supervisor_pid_file_errors_total", "pidFileErrors", "Failures writing the supervisor's pid file."],
];

/** Registers the supervisor series on `registry`; `source()` is read on each scrape. */
export function registerSupervisorMetrics(
  registry: MetricsRegistry,
  source: () => SupervisorMetricSource | null,
): void {
  const registers = [registry];
  const labelsOf = (instance: InstanceSnapshot) => ({
    instance: instance.id,
    model: instance.model,
    role: instance.role,
  });
  registerCollected(
    "gauge",
    {
      name: "llmux_supervisor_instances",
      help: "Supervised engine instances, by state.",
      labelNames: ["state"],
      registers,
    },
    () => {
      const instances = source()?.instances();
      if (instances === undefined) return null;
      return INSTANCE_STATES.map(
        (state) => [{ state }, instances.filter((i) => i.state === state).length] as const,
      );
    },
  );
  registerCollected(
    "gauge",
    {
      name: "llmux_supervisor_instance_state",
      help: "Each supervised instance: 1 on its current state, 0 on the other states.",
      labelNames: ["instance", "model", "role", "state"],
      registers,
    },
    () =>
      (source()?.instances() ?? []).flatMap((instance) =>
        INSTANCE_STATES.map(
          (state) => [{ ...labelsOf(instance), state }, instance.state === state ? 1 : 0] as const,
        ),
      ),
  );
  registerCollected(
    "counter",
    {
      name: "llmux_supervisor_instance_restarts_total",
      help: "Times the supervisor relaunched this instance's engine process.",
      labelNames: ["instance", "model", "role"],
      registers,
    },
    () => (source()?.instances() ?? []).map((instance) => [labelsOf(instance), instance.restarts] as const),
  );
  for (const [name, field, help] of SUPERVISOR_COUNTERS) {
    registerCollected("counter", { name, help, registers }, () => source()?.counters()[field] ?? null);
  }
}
