// Waiting queues: FCFS deque with a front for preempted requests, and the (priority, arrival) heap.
import { describe, expect, test } from "bun:test";
import { createRequestQueue } from "../../../src/sim/engine/request-queue.ts";
import { createRequestState, type RequestState } from "../../../src/sim/engine/request-state.ts";
import { defaultTokenSampler } from "../../../src/sim/engine/token-source.ts";
import { Recorder, simRequest } from "./engine-fixture.ts";

let arrivals = 0;
function state(id: string, priority = 0): RequestState {
  return createRequestState({
    request: simRequest(id, [1, 2, 3], { priority }),
    callbacks: new Recorder(),
    arrivalSeq: arrivals++,
    engineSeed: 1,
    maxModelLen: 100,
    sample: defaultTokenSampler,
  });
}

function ids(states: Iterable<RequestState>): string[] {
  return [...states].map((s) => s.request.id);
}

describe("FCFS queue", () => {
  test("pops in arrival order, with pushFront going first, across growth", () => {
    const queue = createRequestQueue("fcfs");
    const states = Array.from({ length: 40 }, (_, i) => state(`r${i}`));
    for (const s of states) queue.push(s);
    queue.pushFront(state("preempted"));
    expect(queue.size).toBe(41);
    expect(queue.pop()?.request.id).toBe("preempted");
    expect(ids([queue.pop()!, queue.pop()!])).toEqual(["r0", "r1"]);
    expect(queue.remove(states[5]!)).toBe(true);
    expect(queue.remove(states[5]!)).toBe(false);
    expect(ids(queue.values()).slice(0, 4)).toEqual(["r2", "r3", "r4", "r6"]);
  });
});

describe("priority queue", () => {
  test("orders by priority, then arrival", () => {
    const queue = createRequestQueue("priority");
    for (const [id, priority] of [
      ["a", 3],
      ["b", 1],
      ["c", 3],
      ["d", 0],
      ["e", 1],
    ] as const) {
      queue.push(state(id, priority));
    }
    const popped: string[] = [];
    while (queue.size > 0) popped.push(queue.pop()!.request.id);
    expect(popped).toEqual(["d", "b", "e", "a", "c"]);
  });

  test("removes from the middle and keeps heap order", () => {
    const queue = createRequestQueue("priority");
    const states = [5, 4, 3, 2, 1, 0].map((p) => state(`p${p}`, p));
    for (const s of states) queue.push(s);
    queue.remove(states[2]!);
    const popped: string[] = [];
    while (queue.size > 0) popped.push(queue.pop()!.request.id);
    expect(popped).toEqual(["p0", "p1", "p2", "p4", "p5"]);
  });
});
