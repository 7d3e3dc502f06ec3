// The plugin scheduler: builds the plan from config, then per decision runs producers, lets the profile
// handler run profiles, records the explanation, and feeds picks back to stateful plugins (llm-d §1.2–1.3).
import type { SchedulerConfig } from "../config/index.ts";
import type { EndpointSnapshot } from "../pool/index.ts";
import type { LatencyPredictorReader } from "../predictor/index.ts";
import { buildPlan, type PlanConfig, type SchedulingPlan } from "./build-plan.ts";
import { createBuiltinRegistry } from "./builtin.ts";
import { MapCycleState } from "./cycle-state.ts";
import { PREFIX_MATCH_KEY } from "./data-keys.ts";
import { DecisionRing } from "./decision-ring.ts";
import { type DecisionMeta, toExplanation } from "./explain.ts";
import type { SchedulerConfigProblem } from "./param-problems.ts";
import {
  type DeciderTimings,
  pdFields,
  prefillRecordOf,
  runDecider,
  toPrefillTarget,
  withDeciders,
  withPrefill,
} from "./pd-result.ts";
import { cachedTokensOf } from "./prefix/cached-tokens.ts";
import { type ProfileRecord, runProfile } from "./profile.ts";
import type { PluginRegistry } from "./registry.ts";
import type {
  CycleState,
  DecisionExplanation,
  PrefixIndexReader,
  ProfileHandlerContext,
  ScheduleResult,
  Scheduler,
  SchedulingRequest,
} from "./types.ts";

/**
 * The profile used when no plugins are configured: llm-d's legacy blend (prefix 3, queue 2, KV cache 2,
 * no-hit-LRU 2, llm-d-reference §1.5) plus 2 for an idle engine. Chosen by measurement against llm-d's
 * 3/2/2 default: docs/benchmarks/default-profile/README.md.
 */
export const DEFAULT_SCHEDULER_PLUGINS: PlanConfig = {
  plugins: [
    { type: "prefix-cache-scorer" },
    { type: "queue-scorer" },
    { type: "kv-cache-utilization-scorer" },
    { type: "no-hit-lru-scorer" },
    // Scores 1 for an engine with nothing in flight and 0 for any busy one: with its empty KV cache,
    // enough to pull a hot prefix onto engines that idle while a few others hold all its traffic
    // (llm-d-reference §9, hot-spotting); busy engines keep their affinity.
    { type: "active-request-scorer", parameters: { maxBusyScore: 0 } },
  ],
  schedulingProfiles: [
    {
      name: "default",
      plugins: [
        { pluginRef: "prefix-cache-scorer", weight: 3 },
        { pluginRef: "queue-scorer", weight: 2 },
        { pluginRef: "kv-cache-utilization-scorer", weight: 2 },
        { pluginRef: "no-hit-lru-scorer", weight: 2 },
        { pluginRef: "active-request-scorer", weight: 2 },
      ],
    },
  ],
};

const DEFAULT_DECISION_HISTORY = 256;

export interface SchedulerDeps {
  /** Uniform in [0,1), seeded from `scheduler.seed` by the caller; the only randomness used. */
  readonly rng: () => number;
  /** Gateway clock in ms (the clock of `metrics.scrapedAtMs`). */
  readonly now: () => number;
  /** High-resolution clock for plugin timings only (default performance.now); never affects decisions. */
  readonly monotonicMs?: () => number;
  /** Decisions kept for recentDecisions (default 256). */
  readonly decisionHistorySize?: number;
  /** Plugin types available (default: the built-in ones). */
  readonly registry?: PluginRegistry;
  /** The KV-event-fed prefix index for `precise-prefix-cache-producer`. */
  readonly prefixIndex?: PrefixIndexReader;
  /** The online latency model for `predicted-latency-producer`. */
  readonly latencyPredictor?: LatencyPredictorReader;
}

/** How often one plugin threw, and the last error's message (for logs and the admin API). */
export interface PluginFailureCount {
  readonly count: number;
  readonly lastMessage: string;
}

/** The Scheduler with its optional hooks always present, plus plugin failure counts. */
export interface PluginScheduler extends Required<Scheduler> {
  /** plugin name → failures; each failure is handled by the rule in profile.ts and counted here. */
  pluginFailures(): ReadonlyMap<string, PluginFailureCount>;
}

export type CreateSchedulerResult =
  | { readonly ok: true; readonly scheduler: PluginScheduler }
  | { readonly ok: false; readonly problems: readonly SchedulerConfigProblem[] };

/** Builds a scheduler from the `scheduler:` config, or returns every config problem at once. */
export function createScheduler(config: SchedulerConfig, deps: SchedulerDeps): CreateSchedulerResult {
  const registry = deps.registry ?? createBuiltinRegistry();
  const isUnconfigured = config.plugins.length === 0 && config.schedulingProfiles.length === 0;
  const built = buildPlan(isUnconfigured ? DEFAULT_SCHEDULER_PLUGINS : config, registry, {
    rng: deps.rng,
    now: deps.now,
    metricsStalenessMs: config.metricsStalenessMs,
    ...(deps.prefixIndex === undefined ? {} : { prefixIndex: deps.prefixIndex }),
    ...(deps.latencyPredictor === undefined ? {} : { latencyPredictor: deps.latencyPredictor }),
  });
  if (!built.ok) return built;
  return { ok: true, scheduler: new PlanScheduler(built.plan, deps) };
}

class PlanScheduler implements PluginScheduler {
  private readonly clockMs: () => number;
  private readonly ring: DecisionRing;
  private readonly producerNames: readonly string[];
  private readonly failures = new Map<string, PluginFailureCount>();
  /** The last decision's state per request, for onPicked; dropped with the request. */
  private readonly cycles = new WeakMap<SchedulingRequest, CycleState>();
  private readonly countFailure = (pluginName: string, error: unknown): void => {
    const count = (this.failures.get(pluginName)?.count ?? 0) + 1;
    this.failures.set(pluginName, {
      count,
      lastMessage: error instanceof Error ? error.message : String(error),
    });
  };

  constructor(
    private readonly plan: SchedulingPlan,
    private readonly deps: SchedulerDeps,
  ) {
    this.clockMs = deps.monotonicMs ?? (() => performance.now());
    this.ring = new DecisionRing(deps.decisionHistorySize ?? DEFAULT_DECISION_HISTORY);
    this.producerNames = plan.producers.map((p) => p.typedName.name);
  }

  schedule(request: SchedulingRequest, candidates: readonly EndpointSnapshot[]): ScheduleResult {
    if (candidates.length === 0) return noEndpoint(`no endpoint can serve ${request.model}`);
    const startMs = this.clockMs();
    const cycle = new MapCycleState();
    const producerTimingsMs = new Float64Array(this.plan.producers.length);
    const failedProducers: string[] = [];
    this.plan.producers.forEach((producer, i) => {
      const producedAtMs = this.clockMs();
      try {
        producer.produce(request, candidates, cycle);
      } catch (error) {
        // A failed producer leaves its data absent; consumers score as if nothing matched.
        this.countFailure(producer.typedName.name, error);
        failedProducers.push(producer.typedName.name);
      }
      producerTimingsMs[i] = this.clockMs() - producedAtMs;
    });

    const deciders: DeciderTimings = { names: [], ms: [], failed: [] };
    const run = this.runProfiles(request, candidates, cycle, deciders);
    const primary = run === null ? null : this.primaryOf(request, run);
    if (run === null || primary === null) return noEndpoint(failureMessage(request, run?.records ?? null));
    const meta = withDeciders(
      {
        requestId: request.requestId,
        decidedAtMs: this.deps.now(),
        durationUs: Math.round((this.clockMs() - startMs) * 1000),
        producerNames: this.producerNames,
        producerTimingsMs,
        failedProducers,
      },
      deciders,
    );
    return this.decided(request, cycle, run, primary, meta);
  }

  /** Records a successful decision and builds its result (with the prefill leg for a P/D handler). */
  private decided(
    request: SchedulingRequest,
    cycle: CycleState,
    run: ProfileRuns,
    primary: ProfileRecord,
    meta: DecisionMeta,
  ): ScheduleResult {
    const endpoint = primary.survivors[primary.winnerIndex] as EndpointSnapshot;
    const prefillRecord = prefillRecordOf(this.plan.handler, request, run, this.countFailure);
    const prefill = prefillRecord === null ? undefined : toPrefillTarget(prefillRecord, meta, cycle, request);
    const primaryExplanation = toExplanation(primary, meta);
    const explanation =
      prefill === undefined ? primaryExplanation : withPrefill(primaryExplanation, prefill.explanation);
    this.ring.push(explanation);
    this.cycles.set(request, cycle);
    const cachedTokensEstimate = cachedTokensOf(
      cycle.get(PREFIX_MATCH_KEY),
      endpoint.descriptor.id,
      request.promptTokenEstimate,
    );
    return { ok: true, endpoint, explanation, cachedTokensEstimate, ...pdFields(this.plan.handler, prefill) };
  }

  onPicked(request: SchedulingRequest, endpointId: string): void {
    const cycle = this.cycles.get(request) ?? null;
    for (const plugin of this.plan.plugins) {
      if (!("preRequest" in plugin) || plugin.preRequest === undefined) continue;
      try {
        plugin.preRequest(request, endpointId, cycle);
      } catch (error) {
        this.countFailure(plugin.typedName.name, error);
      }
    }
  }

  retainEndpoints(liveIds: ReadonlySet<string>): void {
    for (const plugin of this.plan.plugins) {
      if (!("retainEndpoints" in plugin) || plugin.retainEndpoints === undefined) continue;
      try {
        plugin.retainEndpoints(liveIds);
      } catch (error) {
        this.countFailure(plugin.typedName.name, error);
      }
    }
  }

  recentDecisions(limit: number): readonly DecisionExplanation[] {
    return this.ring.recent(limit);
  }

  pluginFailures(): ReadonlyMap<string, PluginFailureCount> {
    return this.failures;
  }

  /** Runs profiles as the handler asks, each at most once; null when the handler itself throws. */
  private runProfiles(
    request: SchedulingRequest,
    candidates: readonly EndpointSnapshot[],
    cycle: CycleState,
    deciders: DeciderTimings,
  ): ProfileRuns | null {
    const records = new Map<string, ProfileRecord>();
    const results = new Map<string, EndpointSnapshot | null>();
    const { handler, profiles, profileNames } = this.plan;
    const context: ProfileHandlerContext = {
      decide: (deciderName, decideRequest, decodeEndpoint) =>
        runDecider(
          this.plan.deciders,
          deciderName,
          { request: decideRequest, decodeEndpoint, cycle },
          {
            clockMs: this.clockMs,
            onFailure: this.countFailure,
            timings: deciders,
          },
        ),
    };
    try {
      for (let round = 0; round <= profileNames.length; round++) {
        const next = handler
          .pick(request, profileNames, results, context)
          .filter((n) => profiles.has(n) && !results.has(n));
        if (next.length === 0) break;
        for (const name of next) {
          const record = runProfile(
            profiles.get(name)!,
            request,
            candidates,
            cycle,
            this.clockMs,
            this.countFailure,
          );
          records.set(name, record);
          results.set(name, record.winnerIndex >= 0 ? (record.survivors[record.winnerIndex] ?? null) : null);
        }
      }
      return { records, results };
    } catch (error) {
      this.countFailure(handler.typedName.name, error);
      return null;
    }
  }

  private primaryOf(request: SchedulingRequest, run: ProfileRuns): ProfileRecord | null {
    try {
      const name = this.plan.handler.processResults(request, run.results);
      const record = name === null ? undefined : run.records.get(name);
      return record !== undefined && record.winnerIndex >= 0 ? record : null;
    } catch (error) {
      this.countFailure(this.plan.handler.typedName.name, error);
      return null;
    }
  }
}

export interface ProfileRuns {
  readonly records: ReadonlyMap<string, ProfileRecord>;
  readonly results: ReadonlyMap<string, EndpointSnapshot | null>;
}

function noEndpoint(message: string): ScheduleResult {
  return { ok: false, code: "scheduler_no_endpoints", message };
}

/** Names the filter that removed the last endpoints, so a 503 says why. */
function failureMessage(
  request: SchedulingRequest,
  records: ReadonlyMap<string, ProfileRecord> | null,
): string {
  for (const record of records?.values() ?? []) {
    const lastFilter = record.filteredBy[record.filteredBy.length - 1];
    if (record.survivors.length === 0 && lastFilter !== undefined) {
      return `no endpoint can serve ${request.model}: ${lastFilter} removed the last candidates`;
    }
    if (record.failedPlugins.length > 0) {
      return `no endpoint can serve ${request.model}: plugin ${record.failedPlugins.join(", ")} failed`;
    }
  }
  return `no endpoint can serve ${request.model}`;
}
