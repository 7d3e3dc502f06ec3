// The scheduling policies a comparison runs, by name: each builds a production Scheduler (the plugin
// scheduler from an llm-d-style config, or the round-robin baseline); the oracle reads DES ground truth.
import type { SchedulerConfig } from "../config/index.ts";
import {
  createBuiltinRegistry,
  createRoundRobinScheduler,
  createScheduler,
  DEFAULT_SCHEDULER_PLUGINS,
  type PlanConfig,
  type Scheduler,
  usesLatencyPredictor,
} from "../scheduler/index.ts";
import type { LatencyReader } from "./des/latency-learning.ts";
import { createOracleScheduler } from "./des/oracle-scheduler.ts";
import type { OracleView } from "./des/oracle-view.ts";
import { BenchError } from "./errors.ts";

export interface PolicyContext {
  readonly rng: () => number;
  /** Gateway clock in ms (virtual in the DES). */
  readonly now: () => number;
  /** Ground truth, present only when the policy asked for it and the run is simulated. */
  readonly oracle: OracleView | null;
  /** The run's online latency model, present only when the policy asked for it (needsPredictor). */
  readonly latencyPredictor?: LatencyReader | null;
}

export interface Policy {
  readonly name: string;
  readonly description: string;
  readonly needsOracle: boolean;
  /** Its scheduler reads latency predictions: the run trains a predictor from its requests. */
  readonly needsPredictor?: boolean;
  create(context: PolicyContext): Scheduler;
}

/** A policy left out of a comparison, and why. */
export interface SkippedPolicy {
  readonly name: string;
  readonly reason: string;
}

const PRECISE_SCORER_TYPE = "precise-prefix-cache-scorer";

/** Policy names in report order. */
export const POLICY_NAMES = [
  "round-robin",
  "random",
  "least-loaded",
  "llm-d-default",
  "approx-prefix",
  "precise-prefix",
  "llmux-default",
  "slo-aware",
  "slo-aware-spread",
  "oracle",
] as const;

function weighted(...entries: readonly [type: string, weight: number][]): PlanConfig {
  return {
    plugins: entries.map(([type]) => ({ type })),
    schedulingProfiles: [
      { name: "default", plugins: entries.map(([type, weight]) => ({ pluginRef: type, weight })) },
    ],
  };
}

const PLAN_POLICIES: Readonly<Record<string, { description: string; plan: PlanConfig }>> = {
  random: {
    description: "uniform random pick (random-picker, no scorers)",
    plan: {
      plugins: [{ type: "random-picker" }],
      schedulingProfiles: [{ name: "default", plugins: [{ pluginRef: "random-picker" }] }],
    },
  },
  "least-loaded": {
    description: "queue-scorer + kv-cache-utilization-scorer 1:1 (llm-d's load arm)",
    plan: weighted(["queue-scorer", 1], ["kv-cache-utilization-scorer", 1]),
  },
  "llm-d-default": {
    description: "prefix-cache 3, queue 2, kv-cache 2 (llm-d's default profile)",
    plan: weighted(["prefix-cache-scorer", 3], ["queue-scorer", 2], ["kv-cache-utilization-scorer", 2]),
  },
  "approx-prefix": {
    description: "approximate prefix + kv-cache + queue 1:1:1 (llm-d's approximate arm)",
    plan: weighted(["prefix-cache-scorer", 1], ["kv-cache-utilization-scorer", 1], ["queue-scorer", 1]),
  },
  "precise-prefix": {
    description: "precise prefix (KV-event index) 3, queue 2, kv-cache 2",
    plan: weighted([PRECISE_SCORER_TYPE, 3], ["queue-scorer", 2], ["kv-cache-utilization-scorer", 2]),
  },
  "slo-aware": {
    description:
      "latency-scorer on predicted-latency-producer, llm-d's defaults: among endpoints predicted to meet the request's SLO headers, the least headroom (packing)",
    plan: weighted(["latency-scorer", 1]),
  },
  "slo-aware-spread": {
    description:
      "latency-scorer on predicted-latency-producer with headroomSelectionStrategy most: the largest predicted headroom (spreading)",
    plan: {
      plugins: [{ type: "latency-scorer", parameters: { headroomSelectionStrategy: "most" } }],
      schedulingProfiles: [{ name: "default", plugins: [{ pluginRef: "latency-scorer" }] }],
    },
  },
};

export interface ResolvePoliciesOptions {
  /** The scheduler section llmux runs by default (from the embedded config); empty plugins otherwise. */
  readonly llmuxDefault?: SchedulerConfig;
  /** Extra named policies from config files. */
  readonly custom?: Readonly<Record<string, SchedulerConfig>>;
  readonly metricsStalenessMs?: number;
}

/** Resolves names to policies; unknown names throw, unavailable ones are skipped with a reason. */
export function resolvePolicies(
  names: readonly string[],
  options: ResolvePoliciesOptions = {},
): { policies: Policy[]; skipped: SkippedPolicy[] } {
  const policies: Policy[] = [];
  const skipped: SkippedPolicy[] = [];
  const staleness = options.metricsStalenessMs ?? 2000;
  for (const name of names) {
    const custom = options.custom?.[name];
    if (custom !== undefined) {
      policies.push(planPolicy(name, "scheduler config from a file", custom));
    } else if (name === "round-robin") {
      policies.push({
        name,
        description: "rotate over endpoints",
        needsOracle: false,
        create: () => createRoundRobinScheduler(),
      });
    } else if (name === "oracle") {
      policies.push({
        name,
        description: "sees every engine's true cache and queue; lowest estimated TTFT",
        needsOracle: true,
        create: (context) => createOracleScheduler(requireOracle(context)),
      });
    } else if (name === "llmux-default") {
      const config = options.llmuxDefault ?? toConfig({ plugins: [], schedulingProfiles: [] }, staleness);
      const isBuiltin = config.plugins.length === 0 && config.schedulingProfiles.length === 0;
      const description = isBuiltin
        ? `the scheduler llmux runs with no scheduler config: ${describePlan(DEFAULT_SCHEDULER_PLUGINS)}`
        : "the scheduler section of the loaded config";
      policies.push(planPolicy(name, description, config));
    } else if (name === "precise-prefix" && createBuiltinRegistry().get(PRECISE_SCORER_TYPE) === undefined) {
      skipped.push({
        name,
        reason: `no ${PRECISE_SCORER_TYPE} plugin in this build (no precise prefix index yet)`,
      });
    } else if (Object.hasOwn(PLAN_POLICIES, name)) {
      const entry = PLAN_POLICIES[name]!;
      policies.push(planPolicy(name, entry.description, toConfig(entry.plan, staleness)));
    } else {
      const known = [...POLICY_NAMES, ...Object.keys(options.custom ?? {})];
      throw new BenchError("bench_unknown_policy", `"${name}" (known: ${known.join(", ")})`);
    }
  }
  return { policies, skipped };
}

function toConfig(plan: PlanConfig, metricsStalenessMs: number): SchedulerConfig {
  return { ...plan, metricsIntervalMs: 100, metricsStalenessMs } as SchedulerConfig;
}

function planPolicy(name: string, description: string, config: SchedulerConfig): Policy {
  // Built once up front so a bad config fails before any run starts.
  const probe = createScheduler(config, { rng: () => 0, now: () => 0 });
  if (!probe.ok) {
    const problems = probe.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
    throw new BenchError("bench_invalid_policy_config", `${name}: ${problems}`);
  }
  return {
    name,
    description,
    needsOracle: false,
    needsPredictor: usesLatencyPredictor(config),
    create(context) {
      const built = createScheduler(config, {
        rng: context.rng,
        now: context.now,
        monotonicMs: context.now,
        latencyPredictor: context.latencyPredictor ?? undefined,
      });
      if (!built.ok) throw new Error(`policy ${name} stopped validating`);
      return built.scheduler;
    },
  };
}

/** "prefix-cache-scorer 3, queue-scorer 2, …" for a one-profile plan; plugin parameters in parentheses. */
function describePlan(plan: PlanConfig): string {
  const parameters = new Map(plan.plugins.map((p) => [p.name ?? p.type, p.parameters]));
  const profile = plan.schedulingProfiles[0];
  return (profile?.plugins ?? [])
    .map((ref) => {
      const params = parameters.get(ref.pluginRef);
      const suffix =
        params === undefined
          ? ""
          : ` (${Object.entries(params)
              .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
              .join(", ")})`;
      return `${ref.pluginRef} ${ref.weight ?? 1}${suffix}`;
    })
    .join(", ");
}

function requireOracle(context: PolicyContext): OracleView {
  if (context.oracle === null) {
    throw new BenchError("bench_invalid_options", "the oracle policy runs only in a simulation (--simulate)");
  }
  return context.oracle;
}
