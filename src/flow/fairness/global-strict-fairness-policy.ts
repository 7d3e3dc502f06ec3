// First come, first served across the flows of a band: the flow whose head arrived first goes next
// (llm-d's default global-strict-fairness-policy: one logical queue). Reads each flow's head.
import { z } from "zod";
import type { FairnessPolicy, FlowPolicyDeps, FlowView } from "../types.ts";

export const TYPE = "global-strict-fairness-policy";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: FlowPolicyDeps) {
  return {
    typedName: { type: TYPE, name },
    pick: function pickEarliestHead(flows: readonly FlowView[], _nowMs: number) {
      let best = 0;
      let bestSeq = Number.POSITIVE_INFINITY;
      for (let i = 0; i < flows.length; i++) {
        const seq = (flows[i] as FlowView).head().seq;
        if (seq < bestSeq) {
          bestSeq = seq;
          best = i;
        }
      }
      return best;
    },
  } satisfies FairnessPolicy;
}
