import { describe, expect, test } from "bun:test";
import * as roundRobin from "../../../src/flow/fairness/round-robin-fairness-policy.ts";
import * as fcfsOrdering from "../../../src/flow/ordering/fcfs-ordering-policy.ts";
import { QueueEntry } from "../../../src/flow/queue/entry.ts";
import { QueueSet } from "../../../src/flow/queue/queue-set.ts";
import { request } from "../builders.ts";

const deps = { now: () => 0 };
const ordering = fcfsOrdering.create("o", fcfsOrdering.Params.parse({}), deps);
let seq = 0;

function entry(
  model: string,
  priority: number,
  fairnessId = "f",
  deadlineMs = 1000,
  sizeBytes = 10,
): QueueEntry {
  return new QueueEntry(request({ model, priority, fairnessId, sizeBytes }), 0, deadlineMs, seq++, () => {});
}

describe("queue set", () => {
  test("takes the highest band first, flows in turn within it, FCFS within a flow", () => {
    const set = new QueueSet(ordering);
    const fairness = roundRobin.create("rr", roundRobin.Params.parse({}), deps);
    const pushed = [entry("m", 0, "a"), entry("m", 0, "a"), entry("m", 0, "b"), entry("m", 7, "c")];
    for (const e of pushed) set.push(e);
    const taken = [0, 1, 2, 3].map(() => set.take("m", fairness, 0));
    expect(taken).toEqual([pushed[3], pushed[0], pushed[2], pushed[1]]);
    expect(set.take("m", fairness, 0)).toBeUndefined();
    expect([set.size, set.bytes]).toEqual([0, 0]);
  });

  test("tracks sizes, bytes, band sizes and the earliest deadline across models", () => {
    const set = new QueueSet(ordering);
    const late = entry("a", 0, "f", 900, 100);
    const early = entry("b", 3, "f", 200, 50);
    set.push(late);
    set.push(early);
    expect([set.size, set.bytes, set.sizeOf("a"), set.sizeOf("b")]).toEqual([2, 150, 1, 1]);
    expect(set.bandSizes("b")).toEqual({ "3": 1 });
    expect(set.nextDeadline()).toBe(early);
    expect(set.remove(early)).toBe(true);
    expect(set.remove(early)).toBe(false);
    expect(set.nextDeadline()).toBe(late);
    expect(set.bytes).toBe(100);
  });

  test("the eviction candidate is the lowest priority across models, newest first", () => {
    const set = new QueueSet(ordering);
    const oldLow = entry("a", -1);
    const newLow = entry("b", -1);
    set.push(oldLow);
    set.push(entry("a", 5));
    set.push(newLow);
    expect(set.evictionCandidate()).toBe(newLow);
    set.remove(newLow);
    expect(set.evictionCandidate()).toBe(oldLow);
  });
});
