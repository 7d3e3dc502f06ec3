// Node-level Prometheus series: the engines in the pool and the supervised instances (owned by pool/ and
// supervisor/, wired here), build info, and scheduler plugin failures, which outlive a scheduler that a
// reload replaces. Everything is read at scrape time.
import type { EndpointPool } from "../pool/index.ts";
import { registerPoolMetrics } from "../pool/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import { registerSupervisorMetrics, type SupervisorMetricSource } from "../supervisor/index.ts";
import { Counter, Gauge, type MetricsRegistry } from "../telemetry/index.ts";
import { buildInfo } from "./build-info.ts";

export interface NodeMetricSources {
  readonly pool: EndpointPool;
  /** Gateway clock in ms (the scraper's clock). */
  readonly now: () => number;
  /** The live scheduler; SIGHUP may replace it. */
  scheduler(): Scheduler;
  /** Null for `llmux gateway` and until `up` has started it. */
  supervisor(): SupervisorMetricSource | null;
}

/** Registers every node-level series on `registry`. */
export function registerNodeMetrics(registry: MetricsRegistry, sources: NodeMetricSources): void {
  registerPoolMetrics(registry, { snapshot: () => sources.pool.snapshot(), now: sources.now });
  registerSupervisorMetrics(registry, sources.supervisor);
  const info = buildInfo();
  new Gauge({
    name: "llmux_build_info",
    help: "Always 1; the labels name the llmux version, the git commit it was built from and the Bun version.",
    labelNames: ["version", "commit", "bun_version"] as const,
    registers: [registry],
  }).set({ version: info.version, commit: info.commit, bun_version: info.bunVersion }, 1);
  registerPluginFailures(registry, sources.scheduler);
}

/**
 * Failure counts live in each scheduler object, and a reload builds a new one: the counter adds what
 * the current scheduler gained since the previous scrape, so it never goes back when one is swapped.
 * Failures of a replaced scheduler after its last scrape are not counted.
 */
function registerPluginFailures(registry: MetricsRegistry, current: () => Scheduler): void {
  const seen = new WeakMap<Scheduler, Map<string, number>>();
  new Counter({
    name: "llmux_scheduler_plugin_failures_total",
    help: "Scheduler plugin calls that threw, by plugin name (each handled by the scheduler's failure rule).",
    labelNames: ["plugin"] as const,
    registers: [registry],
    collect() {
      const scheduler = current();
      const failures = scheduler.pluginFailures?.();
      if (failures === undefined) return;
      let counted = seen.get(scheduler);
      if (counted === undefined) {
        counted = new Map();
        seen.set(scheduler, counted);
      }
      for (const [plugin, { count }] of failures) {
        const added = count - (counted.get(plugin) ?? 0);
        if (added > 0) this.inc({ plugin }, added);
        counted.set(plugin, count);
      }
    },
  });
}
