// llm-d's min-max load normalisation (queue-scorer, running-requests-size-scorer, §2.2):
// (max − v)/(max − min) over the fresh endpoints, all equal → 1; stale or unscraped endpoints score 0.
import type { EndpointSnapshot, EngineMetrics } from "../../pool/index.ts";
import { freshMetrics } from "../metrics-freshness.ts";

/** Writes the min-max score of `loadOf(metrics)` for every endpoint into `out`. */
export function scoreMinMaxLoad(
  endpoints: readonly EndpointSnapshot[],
  out: Float64Array,
  loadOf: (metrics: EngineMetrics) => number,
  nowMs: number,
  stalenessMs: number,
): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < endpoints.length; i++) {
    const metrics = freshMetrics(endpoints[i] as EndpointSnapshot, nowMs, stalenessMs);
    // NaN marks a saturated endpoint for the second pass without another freshness check.
    const value = metrics === null ? Number.NaN : loadOf(metrics);
    out[i] = value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const range = max - min;
  for (let i = 0; i < endpoints.length; i++) {
    const value = out[i] as number;
    if (Number.isNaN(value)) out[i] = 0;
    else out[i] = range > 0 ? (max - value) / range : 1;
  }
}
