import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/flow/fairness/least-attained-service-fairness-policy.ts";
import type { FlowView, QueuedItem } from "../../../src/flow/index.ts";
import { request } from "../builders.ts";

function item(fairnessId: string, enqueuedAtMs = 0, promptTokens = 100): QueuedItem {
  return {
    request: request({ fairnessId, promptTokens, expectedOutputTokens: 50 }),
    enqueuedAtMs,
    deadlineMs: 0,
    seq: 0,
  };
}

function flowOf(head: QueuedItem): FlowView {
  return { fairnessId: head.request.fairnessId, size: 1, head: () => head };
}

describe("least-attained-service-fairness-policy", () => {
  test("serves the flow with the least decayed service", () => {
    const policy = create("las", Params.parse({ headWaitWeight: 0 }), { now: () => 0 });
    // a: 100 + 2·50 = 200 tokens of service; b: none.
    policy.onDispatch?.(item("a"), 0);
    expect(policy.pick([flowOf(item("a")), flowOf(item("b"))], 0)).toBe(1);
  });

  test("service halves every halfLifeMs, and usage corrects the dispatch estimate", () => {
    const policy = create("las", Params.parse({ headWaitWeight: 0, halfLifeMs: 1000 }), { now: () => 0 });
    policy.onDispatch?.(item("a", 0, 1000), 0); // a: 1100
    policy.onDispatch?.(item("b", 0, 500), 1000); // b: 600 at t=1000; a decayed to 550 by then
    expect(policy.pick([flowOf(item("a")), flowOf(item("b"))], 1000)).toBe(0);
    // b's request really used 100 + 2·0 = 100: its service drops to 100.
    policy.onUsage?.(item("b", 0, 500).request, { promptTokens: 100, completionTokens: 0 }, 1000);
    expect(policy.pick([flowOf(item("a")), flowOf(item("b"))], 1000)).toBe(1);
  });

  test("the head-wait term breaks ties toward the longest waiting flow", () => {
    const policy = create("las", Params.parse({}), { now: () => 0 });
    expect(policy.pick([flowOf(item("a", 900)), flowOf(item("b", 100))], 1000)).toBe(1);
  });
});
