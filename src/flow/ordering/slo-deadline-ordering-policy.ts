// Earliest TTFT deadline first within a flow: deadline = enqueue time + the request's TTFT SLO; requests
// without one go last (llm-d's slo-deadline-ordering-policy); ties by arrival. Reads the request SLO.
import { z } from "zod";
import type { FlowPolicyDeps, OrderingPolicy, QueuedItem } from "../types.ts";

export const TYPE = "slo-deadline-ordering-policy";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: FlowPolicyDeps) {
  return {
    typedName: { type: TYPE, name },
    compare: function compareSloDeadline(a: QueuedItem, b: QueuedItem) {
      const byDeadline = sloDeadline(a) - sloDeadline(b);
      return Number.isNaN(byDeadline) || byDeadline === 0 ? a.seq - b.seq : byDeadline;
    },
  } satisfies OrderingPolicy;
}

function sloDeadline(item: QueuedItem): number {
  const ttftMs = item.request.slo?.ttftMs ?? null;
  return ttftMs === null ? Number.POSITIVE_INFINITY : item.enqueuedAtMs + ttftMs;
}
