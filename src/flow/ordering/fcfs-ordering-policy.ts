// First come, first served within a flow (llm-d's default fcfs-ordering-policy). Reads arrival order.
import { z } from "zod";
import type { FlowPolicyDeps, OrderingPolicy, QueuedItem } from "../types.ts";

export const TYPE = "fcfs-ordering-policy";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: FlowPolicyDeps) {
  return {
    typedName: { type: TYPE, name },
    compare: function compareArrival(a: QueuedItem, b: QueuedItem) {
      return a.seq - b.seq;
    },
  } satisfies OrderingPolicy;
}
