// Serves the flow that has received the least service lately (tokens, decayed with a half-life), with a
// nudge for the flow whose head has waited longest (llm-d's program-aware fairness, §4). Service is
// charged at dispatch from estimates and corrected from actual usage.
import { z } from "zod";
import type {
  AdmissionRequest,
  FairnessPolicy,
  FlowPolicyDeps,
  FlowView,
  QueuedItem,
  TokenUsage,
} from "../types.ts";

export const TYPE = "least-attained-service-fairness-policy";

export const Params = z.strictObject({
  halfLifeMs: z.number().int().min(1000).default(60_000).describe("service halves over this time"),
  serviceWeight: z.number().min(0).max(1).default(0.8).describe("weight of normalised attained service"),
  headWaitWeight: z.number().min(0).max(1).default(0.2).describe("weight of normalised head-of-flow wait"),
  outputTokenWeight: z.number().min(0).default(2).describe("service per output token, in input tokens"),
  maxRememberedFlows: z.number().int().min(16).default(10_000).describe("fairness ids whose service is kept"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: FlowPolicyDeps) {
  const services = new Map<string, Service>();
  const decayPerMs = Math.LN2 / params.halfLifeMs;

  function serviceOf(id: string, nowMs: number): number {
    const service = services.get(id);
    if (service === undefined) return 0;
    return service.tokens * Math.exp(-decayPerMs * Math.max(0, nowMs - service.atMs));
  }

  function charge(id: string, tokens: number, nowMs: number): void {
    services.delete(id);
    services.set(id, { tokens: Math.max(0, serviceOf(id, nowMs) + tokens), atMs: nowMs });
    // Map order is last-charged order: the first entries are the longest idle.
    if (services.size > params.maxRememberedFlows) {
      for (const key of services.keys()) {
        services.delete(key);
        if (services.size <= params.maxRememberedFlows / 2) break;
      }
    }
  }

  function estimateOf(request: AdmissionRequest): number {
    return request.promptTokens + params.outputTokenWeight * request.expectedOutputTokens;
  }

  return {
    typedName: { type: TYPE, name },
    pick: function pickLeastServed(flows: readonly FlowView[], nowMs: number) {
      let maxService = 0;
      let maxWait = 0;
      for (const flow of flows) {
        maxService = Math.max(maxService, serviceOf(flow.fairnessId, nowMs));
        maxWait = Math.max(maxWait, nowMs - flow.head().enqueuedAtMs);
      }
      let best = 0;
      let bestScore = Number.POSITIVE_INFINITY;
      for (let i = 0; i < flows.length; i++) {
        const flow = flows[i] as FlowView;
        const service = maxService > 0 ? serviceOf(flow.fairnessId, nowMs) / maxService : 0;
        const wait = maxWait > 0 ? (nowMs - flow.head().enqueuedAtMs) / maxWait : 0;
        const score = params.serviceWeight * service - params.headWaitWeight * wait;
        if (score < bestScore) {
          bestScore = score;
          best = i;
        }
      }
      return best;
    },
    onDispatch: function chargeEstimate(item: QueuedItem, nowMs: number) {
      charge(item.request.fairnessId, estimateOf(item.request), nowMs);
    },
    onUsage: function correctService(request: AdmissionRequest, usage: TokenUsage, nowMs: number) {
      const actual = usage.promptTokens + params.outputTokenWeight * usage.completionTokens;
      charge(request.fairnessId, actual - estimateOf(request), nowMs);
    },
  } satisfies FairnessPolicy;
}

/** Attained service of one flow, in tokens, as of `atMs` (decays from there). */
interface Service {
  tokens: number;
  atMs: number;
}
