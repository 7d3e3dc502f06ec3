import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/flow/fairness/round-robin-fairness-policy.ts";
import type { FlowView, QueuedItem } from "../../../src/flow/index.ts";
import { request } from "../builders.ts";

function flow(fairnessId: string, seq = 0): FlowView {
  const item: QueuedItem = { request: request({ fairnessId }), enqueuedAtMs: 0, deadlineMs: 1, seq };
  return { fairnessId, size: 1, head: () => item };
}

describe("round-robin-fairness-policy", () => {
  test("serves flows in turn, a newly active flow before ones already served", () => {
    const policy = create("rr", Params.parse({}), { now: () => 0 });
    const [a, b, c] = [flow("a"), flow("b"), flow("c")];
    const picks: string[] = [];
    for (let i = 0; i < 4; i++)
      picks.push((i < 2 ? [a, b] : [a, b, c])[policy.pick(i < 2 ? [a, b] : [a, b, c], 0)]?.fairnessId ?? "");
    expect(picks).toEqual(["a", "b", "c", "a"]);
  });

  test("forgets idle flows beyond maxRememberedFlows but never a queued one", () => {
    const policy = create("rr", Params.parse({ maxRememberedFlows: 16 }), { now: () => 0 });
    for (let i = 0; i < 40; i++) policy.pick([flow(`f${i}`)], 0);
    const queued = [flow("f39"), flow("new")];
    expect(queued[policy.pick(queued, 0)]?.fairnessId).toBe("new");
  });
});
