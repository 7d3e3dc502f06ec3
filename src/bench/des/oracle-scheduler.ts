// The oracle policy: with every engine's true cache and queue in view, it sends each request where
// its estimated TTFT is lowest: the chunked-prefill steps needed for the prefill already queued plus
// its own uncached tokens, each step costed with the sim's step-time model at the engine's decode load.
import type { Scheduler } from "../../scheduler/index.ts";
import { prefillPairs, stepDurationMs } from "../../sim/index.ts";
import type { OracleView } from "./oracle-view.ts";

export function createOracleScheduler(view: OracleView): Scheduler {
  const options = view.engineOptions;
  return {
    schedule(request, candidates) {
      if (candidates.length === 0) {
        return {
          ok: false,
          code: "scheduler_no_endpoints",
          message: `no endpoint can serve ${request.model}`,
        };
      }
      const prompt = view.promptTokens(request.requestId) || request.promptTokenEstimate;
      let best = 0;
      let bestMs = Number.POSITIVE_INFINITY;
      let bestRunning = Number.POSITIVE_INFINITY;
      let bestCached = 0;
      const scores: Record<string, Record<string, number>> = {};
      for (let c = 0; c < candidates.length; c++) {
        const id = candidates[c]!.descriptor.id;
        const index = view.indexOf(id);
        if (index < 0) continue;
        const cached = view.cachedTokens(index, request.requestId);
        const stats = view.stats(index);
        const estimateMs = estimateTtftMs(view, index, prompt - cached, cached, stats.running);
        scores[id] = { estimatedTtftMs: estimateMs, cachedTokens: cached };
        if (estimateMs < bestMs || (estimateMs === bestMs && stats.running < bestRunning)) {
          best = c;
          bestMs = estimateMs;
          bestRunning = stats.running;
          bestCached = cached;
        }
      }
      const endpoint = candidates[best]!;
      return {
        ok: true,
        endpoint,
        cachedTokensEstimate: bestCached,
        explanation: {
          profile: "oracle",
          picker: "min-estimated-ttft",
          winner: endpoint.descriptor.id,
          scores,
          filteredOut: {},
          requestId: request.requestId,
        },
      };
    },
  };

  function estimateTtftMs(
    view: OracleView,
    index: number,
    uncached: number,
    cached: number,
    running: number,
  ): number {
    const budget = options.maxNumBatchedTokens;
    const queued = view.pendingPrefillTokens(index) + Math.max(1, uncached);
    const decodes = Math.min(running, budget - 1);
    const prefillPerStep = budget - decodes;
    const steps = Math.ceil(queued / prefillPerStep);
    const chunk = Math.min(queued, prefillPerStep);
    const stepMs = stepDurationMs(options.profile, {
      scheduledTokens: decodes + chunk,
      attentionPairs: prefillPairs(chunk, cached),
      decodeContextTokens: view.contextTokens(index),
    });
    // A full batch admits nothing new until a sequence finishes: count one more step per waiter.
    const slotWaitSteps = running >= options.maxNumSeqs ? view.stats(index).waiting + 1 : 0;
    return (steps + slotWaitSteps) * stepMs;
  }
}
