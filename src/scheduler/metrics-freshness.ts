// Staleness rule shared by load plugins: metrics never scraped, or older than the bound, count as
// saturated (llm-d's utilization detector treats stale metrics as 100 % saturated, llm-d-reference §1.6).
import type { EndpointSnapshot, EngineMetrics } from "../pool/index.ts";

/** The endpoint's metrics when fresh at `nowMs`, else null (the caller scores it as saturated). */
export function freshMetrics(
  endpoint: EndpointSnapshot,
  nowMs: number,
  stalenessMs: number,
): EngineMetrics | null {
  const metrics = endpoint.metrics;
  if (metrics === null || nowMs - metrics.scrapedAtMs > stalenessMs) return null;
  return metrics;
}
