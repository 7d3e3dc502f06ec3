// Serves the flows of a band in turn: the flow served longest ago goes next (a flow never served first,
// in the order flows became non-empty). Equal service per flow while all are backlogged (llm-d §4).
import { z } from "zod";
import type { FairnessPolicy, FlowPolicyDeps, FlowView } from "../types.ts";

export const TYPE = "round-robin-fairness-policy";

export const Params = z.strictObject({
  maxRememberedFlows: z
    .number()
    .int()
    .min(16)
    .default(10_000)
    .describe("fairness ids whose last turn is remembered; idle ones beyond it are forgotten"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: FlowPolicyDeps) {
  const lastTurn = new Map<string, number>();
  let turn = 0;
  return {
    typedName: { type: TYPE, name },
    pick: function pickRoundRobin(flows: readonly FlowView[], _nowMs: number) {
      let best = 0;
      let bestTurn = Number.POSITIVE_INFINITY;
      for (let i = 0; i < flows.length; i++) {
        const served = lastTurn.get((flows[i] as FlowView).fairnessId) ?? -1;
        if (served < bestTurn) {
          bestTurn = served;
          best = i;
        }
      }
      const id = (flows[best] as FlowView).fairnessId;
      lastTurn.delete(id);
      lastTurn.set(id, turn++);
      if (lastTurn.size > params.maxRememberedFlows) forgetOldest(lastTurn, flows);
      return best;
    },
  } satisfies FairnessPolicy;
}

/** Drops the least recently served ids that are not queued now (Map order is service order). */
function forgetOldest(lastTurn: Map<string, number>, flows: readonly FlowView[]): void {
  const queued = new Set(flows.map((flow) => flow.fairnessId));
  const excess = lastTurn.size - Math.floor(lastTurn.size / 2);
  let dropped = 0;
  for (const id of lastTurn.keys()) {
    if (dropped >= excess) break;
    if (queued.has(id)) continue;
    lastTurn.delete(id);
    dropped++;
  }
}
