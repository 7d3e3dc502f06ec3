// Routing metrics measured at the gateway: scheduler decisions (latency, count by profile and by the
// scorer that decided) and, per finished request, the scheduler's cached-token estimate against what
// the engine reported. Recorded from data the decision already holds: no I/O, no awaits.
import type { DecisionExplanation } from "../scheduler/index.ts";
import { HotCounter, HotHistogram, type MetricsRegistry } from "../telemetry/index.ts";
import type { CompletedRequest } from "./context.ts";

/** Seconds buckets for one scheduling decision (10 µs .. 100 ms). */
const DECISION_BUCKETS_SECONDS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1,
];
/** (estimated − reported) / prompt tokens: below 0 the scheduler underestimated the engine's cache. */
const CACHED_ERROR_BUCKETS_RATIO = [-1, -0.75, -0.5, -0.25, -0.1, -0.01, 0, 0.01, 0.1, 0.25, 0.5, 0.75, 1];
/** The `plugin` label when no scorer put the winner ahead (one candidate, a tie, no scorers). */
const NO_DECIDING_PLUGIN = "none";

export interface RoutingMetrics {
  /** One successful scheduler decision, with the prefill profile's decision under P/D. */
  decided(explanation: DecisionExplanation): void;
  /** One finished request that reached an engine and reported usage. */
  completed(done: CompletedRequest): void;
}

/** Registers the routing series on `registers`; label sets are bounded by configured profiles, scorers and models. */
export function createRoutingMetrics(registers: MetricsRegistry[]): RoutingMetrics {
  const series = createSeries(registers);
  const countDecision = (explanation: DecisionExplanation) => {
    series.decisions.labels(explanation.profile, explanation.decidedBy || NO_DECIDING_PLUGIN).inc();
  };
  return {
    decided(explanation) {
      countDecision(explanation);
      if (explanation.prefill !== undefined) countDecision(explanation.prefill);
      // One schedule() call times both profiles; it is observed once, under the primary profile.
      if (explanation.durationUs === undefined) return;
      series.decisionSeconds.labels(explanation.profile).observe(explanation.durationUs / 1e6);
    },
    completed(done) {
      if (done.promptTokens === null || done.cachedTokens === null) return;
      const model = done.scheduling.model;
      series.estimatedCachedTokens.labels(model).inc(done.cachedTokensEstimate);
      series.reportedCachedTokens.labels(model).inc(done.cachedTokens);
      if (done.promptTokens > 0) {
        const error = (done.cachedTokensEstimate - done.cachedTokens) / done.promptTokens;
        series.cachedTokensError.labels(model).observe(Math.max(-1, Math.min(1, error)));
      }
    },
  };
}

function createSeries(registers: MetricsRegistry[]) {
  return {
    decisionSeconds: new HotHistogram({
      name: "llmux_scheduler_decision_duration_seconds",
      help: "Wall time of one scheduling decision (producers, filters, scorers, picker), by primary profile.",
      labelNames: ["profile"] as const,
      buckets: DECISION_BUCKETS_SECONDS,
      registers,
    }),
    decisions: new HotCounter({
      name: "llmux_scheduler_decisions_total",
      help: "Scheduling decisions by profile and by the scorer whose weighted score put the winner furthest ahead of the runner-up (none: one candidate or a tie).",
      labelNames: ["profile", "plugin"] as const,
      registers,
    }),
    estimatedCachedTokens: new HotCounter({
      name: "llmux_scheduler_estimated_cached_tokens_total",
      help: "Prompt tokens the scheduler estimated the chosen engine held in cache, over requests with reported usage.",
      labelNames: ["model"] as const,
      registers,
    }),
    reportedCachedTokens: new HotCounter({
      name: "llmux_scheduler_reported_cached_tokens_total",
      help: "Cached prompt tokens the engines reported (prompt_tokens_details.cached_tokens) for the same requests.",
      labelNames: ["model"] as const,
      registers,
    }),
    cachedTokensError: new HotHistogram({
      name: "llmux_scheduler_cached_tokens_error_ratio",
      help: "(Estimated - reported cached prompt tokens) / prompt tokens, per request: below 0 the scheduler underestimated.",
      labelNames: ["model"] as const,
      buckets: CACHED_ERROR_BUCKETS_RATIO,
      registers,
    }),
  };
}
