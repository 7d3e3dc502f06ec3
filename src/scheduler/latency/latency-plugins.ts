// Which scheduler configs route on latency predictions: a node trains its predictor for those (predictor
// mode auto), and the benchmark's simulation gives a predictor only to such policies.
import type { PlanConfig } from "../build-plan.ts";
import * as predictedLatencyProducer from "../producer/predicted-latency-producer.ts";
import * as latencyScorer from "../scorer/latency-scorer.ts";

/** Plugin types that read the latency predictor (latency-scorer through the producer it auto-adds). */
export const LATENCY_PLUGIN_TYPES: readonly string[] = [predictedLatencyProducer.TYPE, latencyScorer.TYPE];

/** True when `plan` configures a plugin that reads latency predictions. */
export function usesLatencyPredictor(plan: PlanConfig): boolean {
  return plan.plugins.some((plugin) => LATENCY_PLUGIN_TYPES.includes(plugin.type));
}
