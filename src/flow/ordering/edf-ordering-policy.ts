// Earliest deadline first within a flow: deadline = enqueue time + the request's TTL (llm-d's
// edf-ordering-policy); ties by arrival. Reads each item's deadline.
import { z } from "zod";
import type { FlowPolicyDeps, OrderingPolicy, QueuedItem } from "../types.ts";

export const TYPE = "edf-ordering-policy";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: FlowPolicyDeps) {
  return {
    typedName: { type: TYPE, name },
    compare: function compareDeadline(a: QueuedItem, b: QueuedItem) {
      return a.deadlineMs - b.deadlineMs || a.seq - b.seq;
    },
  } satisfies OrderingPolicy;
}
