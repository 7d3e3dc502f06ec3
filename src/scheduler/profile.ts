// Runs one scheduling profile: filters in order → weighted scorers (clamped to [0,1], weight default 1,
// weighted sum not normalised, as in llm-d §1.3) → one picker. The engine, not the plugins, times each
// plugin, clamps scores, applies the failure rule and records what the explanation needs.
import type { EndpointSnapshot } from "../pool/index.ts";
import type { ProfilePlan } from "./build-plan.ts";
import type { CycleState, SchedulingRequest } from "./types.ts";

/** Everything one profile run decided, in flat arrays; explain.ts turns it into a DecisionExplanation. */
export interface ProfileRecord {
  readonly profile: string;
  readonly picker: string;
  /** Endpoints that survived the filters, in order; scores are indexed like this. */
  readonly survivors: readonly EndpointSnapshot[];
  /** Index into `survivors`, or -1 when the profile found no endpoint. */
  readonly winnerIndex: number;
  readonly scorerNames: readonly string[];
  readonly scorerWeights: readonly number[];
  /** Clamped, unweighted scores: scorer s, endpoint e at [s * survivors.length + e]. */
  readonly scores: Float64Array;
  readonly totals: Float64Array;
  readonly filteredIds: readonly string[];
  readonly filteredBy: readonly string[];
  readonly timedNames: readonly string[];
  readonly timingsMs: Float64Array;
  readonly failedPlugins: readonly string[];
}

/** Counts a plugin's exception; the engine applies the rule, the plugin never decides. */
export type PluginFailureSink = (pluginName: string, error: unknown) => void;

/**
 * Runs `plan` over `candidates`. Failure rule: a filter that throws fails the profile (skipping it could
 * let through endpoints it exists to exclude); a scorer that throws scores 0 everywhere; a picker that
 * throws or returns an index out of range fails the profile.
 */
export function runProfile(
  plan: ProfilePlan,
  request: SchedulingRequest,
  candidates: readonly EndpointSnapshot[],
  cycle: CycleState,
  clockMs: () => number,
  onFailure: PluginFailureSink,
): ProfileRecord {
  const timedNames: string[] = [];
  const timingsMs = new Float64Array(plan.filters.length + plan.scorers.length + 1);
  const failedPlugins: string[] = [];
  const filteredIds: string[] = [];
  const filteredBy: string[] = [];
  let survivors = candidates;
  let isFailed = false;

  for (const filter of plan.filters) {
    const name = filter.typedName.name;
    const startMs = clockMs();
    let kept: readonly EndpointSnapshot[];
    try {
      kept = filter.filter(request, survivors, cycle);
    } catch (error) {
      onFailure(name, error);
      failedPlugins.push(name);
      kept = [];
    }
    timingsMs[timedNames.length] = clockMs() - startMs;
    timedNames.push(name);
    recordRemoved(survivors, kept, name, filteredIds, filteredBy);
    survivors = kept;
    if (survivors.length === 0) {
      isFailed = true;
      break;
    }
  }

  const count = survivors.length;
  const scores = new Float64Array(plan.scorers.length * count);
  const totals = new Float64Array(count);
  if (!isFailed) {
    plan.scorers.forEach(({ scorer, weight }, s) => {
      const name = scorer.typedName.name;
      const row = scores.subarray(s * count, (s + 1) * count);
      const startMs = clockMs();
      try {
        scorer.score(request, survivors, cycle, row);
      } catch (error) {
        onFailure(name, error);
        failedPlugins.push(name);
        row.fill(0);
      }
      timingsMs[timedNames.length] = clockMs() - startMs;
      timedNames.push(name);
      for (let e = 0; e < count; e++) {
        const value = row[e] as number;
        // Clamp to [0,1]; NaN (an unwritten or undefined score) counts as 0.
        const clamped = value > 0 ? Math.min(value, 1) : 0;
        row[e] = clamped;
        totals[e] = (totals[e] as number) + weight * clamped;
      }
    });
  }

  let winnerIndex = -1;
  if (!isFailed) {
    const name = plan.picker.typedName.name;
    const startMs = clockMs();
    try {
      const index = plan.picker.pick(survivors, totals);
      if (Number.isInteger(index) && index >= 0 && index < count) winnerIndex = index;
      else onFailure(name, new RangeError(`picker returned ${index} for ${count} endpoints`));
    } catch (error) {
      onFailure(name, error);
    }
    if (winnerIndex < 0) failedPlugins.push(name);
    timingsMs[timedNames.length] = clockMs() - startMs;
    timedNames.push(name);
  }

  return {
    profile: plan.name,
    picker: plan.picker.typedName.name,
    survivors,
    winnerIndex,
    scorerNames: plan.scorerNames,
    scorerWeights: plan.scorerWeights,
    scores,
    totals,
    filteredIds,
    filteredBy,
    timedNames,
    timingsMs,
    failedPlugins,
  };
}

/** Filters return order-preserving subsets, so what was removed is found in one merge pass. */
function recordRemoved(
  before: readonly EndpointSnapshot[],
  after: readonly EndpointSnapshot[],
  filterName: string,
  ids: string[],
  by: string[],
): void {
  if (after === before || after.length === before.length) return;
  let j = 0;
  for (const endpoint of before) {
    if (j < after.length && after[j] === endpoint) {
      j++;
      continue;
    }
    ids.push(endpoint.descriptor.id);
    by.push(filterName);
  }
}
