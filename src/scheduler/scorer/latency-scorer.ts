// Prefers endpoints predicted to meet the request's SLOs with the least headroom (bin-packing), else the
// smallest deficit; without predictions, a composite of free KV, short queue and prefix match (llm-d
// latency-scorer, §5.2). Reads the latency predictions, metrics and the prefix match.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { METRICS_KEY, PREFIX_MATCH_KEY } from "../data-keys.ts";
import { type EndpointLatency, LATENCY_PREDICTION_KEY } from "../latency/prediction-key.ts";
import type { PluginDeps, Scorer } from "../types.ts";

export const TYPE = "latency-scorer";

export const Params = z.strictObject({
  ttftWeight: z.number().min(0).default(0.8).describe("weight of normalised TTFT headroom"),
  tpotWeight: z.number().min(0).default(0.2).describe("weight of normalised TPOT headroom"),
  headroomSelectionStrategy: z
    .enum(["least", "most"])
    .default("least")
    .describe("least: closest to the SLO wins (packing); most: largest headroom wins"),
  compositeKVWeight: z.number().min(0).default(1).describe("fallback: weight of free KV cache"),
  compositeQueueWeight: z.number().min(0).default(1).describe("fallback: weight of relative queue"),
  compositePrefixWeight: z.number().min(0).default(1).describe("fallback: weight of prefix match ratio"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    category: "balance",
    consumes: [LATENCY_PREDICTION_KEY, METRICS_KEY, PREFIX_MATCH_KEY],
    score: function scoreLatency(_request, endpoints, cycle, out) {
      const info = cycle.get(LATENCY_PREDICTION_KEY);
      const latencies = endpoints.map((e) => info?.of(e.descriptor.id));
      if (!latencies.some((l) => l?.isValid === true)) {
        compositeScores(endpoints, cycle.get(PREFIX_MATCH_KEY), params, out);
        return;
      }
      out.fill(0, 0, endpoints.length);
      const chosen = chooseTier(latencies);
      const isPositive = chosen.every((i) => isMeeting(latencies[i] as EndpointLatency));
      const ttft = chosen.map((i) => Math.abs((latencies[i] as EndpointLatency).ttftHeadroomMs));
      const tpot = chosen.map((i) => Math.abs((latencies[i] as EndpointLatency).tpotHeadroomMs));
      const nTtft = minMax(ttft);
      const nTpot = minMax(tpot);
      // A dimension with no spread cannot separate endpoints: its weight goes to the other one.
      const alpha = nTtft === null ? 0 : params.ttftWeight;
      const beta = nTpot === null ? 0 : params.tpotWeight;
      const total = alpha + beta;
      chosen.forEach((index, k) => {
        const combined = total > 0 ? (alpha * (nTtft?.[k] ?? 0) + beta * (nTpot?.[k] ?? 0)) / total : 0;
        const score = isPositive && params.headroomSelectionStrategy === "most" ? combined : 1 - combined;
        // Quantised to 1/100 as llm-d does; a chosen endpoint never ties with an excluded one at 0.
        out[index] = Math.max(0.01, Math.round(score * 100) / 100);
      });
    },
  } satisfies Scorer;
}

function isMeeting(latency: EndpointLatency): boolean {
  return latency.ttftHeadroomMs >= 0 && latency.tpotHeadroomMs >= 0;
}

/**
 * Indices scored above 0: those meeting both SLOs when any does; else idle ones; else the best deficit
 * tier: only TPOT missed, then only TTFT missed, then both.
 */
function chooseTier(latencies: readonly (EndpointLatency | undefined)[]): number[] {
  const valid = latencies.flatMap((l, i) => (l?.isValid === true ? [i] : []));
  const at = (i: number) => latencies[i] as EndpointLatency;
  const meeting = valid.filter((i) => isMeeting(at(i)));
  if (meeting.length > 0) return meeting;
  const idle = valid.filter((i) => at(i).dispatched === 0);
  if (idle.length > 0) return idle;
  const onlyTpot = valid.filter((i) => at(i).ttftHeadroomMs >= 0);
  if (onlyTpot.length > 0) return onlyTpot;
  const onlyTtft = valid.filter((i) => at(i).tpotHeadroomMs >= 0);
  return onlyTtft.length > 0 ? onlyTtft : valid;
}

/** Values scaled to [0,1] by their range, or null when they have none. */
function minMax(values: readonly number[]): number[] | null {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return max > min ? values.map((v) => (v - min) / (max - min)) : null;
}

function compositeScores(
  endpoints: readonly EndpointSnapshot[],
  prefix: { totalBlocks: number; matchedBlocks(id: string): number } | undefined,
  params: Params,
  out: Float64Array,
): void {
  const maxQueue = Math.max(0, ...endpoints.map((e) => e.metrics?.waitingRequests ?? 0));
  const weights = params.compositeKVWeight + params.compositeQueueWeight + params.compositePrefixWeight;
  for (let i = 0; i < endpoints.length; i++) {
    const endpoint = endpoints[i] as EndpointSnapshot;
    const metrics = endpoint.metrics;
    // Never scraped: as full and as queued as the worst, so a scraped endpoint is preferred.
    const freeKv = metrics === null ? 0 : 1 - metrics.kvUsageRatio;
    const queue = metrics === null ? maxQueue : metrics.waitingRequests;
    const relativeQueue = maxQueue > 0 ? (maxQueue - queue) / maxQueue : 1;
    const total = prefix?.totalBlocks ?? 0;
    const prefixRatio = total > 0 ? (prefix?.matchedBlocks(endpoint.descriptor.id) ?? 0) / total : 0;
    const sum =
      params.compositeKVWeight * freeKv +
      params.compositeQueueWeight * relativeQueue +
      params.compositePrefixWeight * prefixRatio;
    out[i] = weights > 0 ? sum / weights : 0;
  }
}
