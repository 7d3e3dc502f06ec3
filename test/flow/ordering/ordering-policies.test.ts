import { describe, expect, test } from "bun:test";
import type { QueuedItem } from "../../../src/flow/index.ts";
import * as edf from "../../../src/flow/ordering/edf-ordering-policy.ts";
import * as fcfs from "../../../src/flow/ordering/fcfs-ordering-policy.ts";
import * as sloDeadline from "../../../src/flow/ordering/slo-deadline-ordering-policy.ts";
import { request } from "../builders.ts";

const deps = { now: () => 0 };

function item(
  seq: number,
  deadlineMs: number,
  sloTtftMs: number | null = null,
  enqueuedAtMs = 0,
): QueuedItem {
  return { request: request({ slo: { ttftMs: sloTtftMs, tpotMs: null } }), enqueuedAtMs, deadlineMs, seq };
}

function order(compare: (a: QueuedItem, b: QueuedItem) => number, items: QueuedItem[]): number[] {
  return [...items].sort(compare).map((i) => i.seq);
}

describe("ordering policies", () => {
  const items = [item(1, 500, null), item(2, 300, 50, 100), item(3, 300, 20, 200), item(4, 900, 10, 0)];

  test("fcfs-ordering-policy orders by arrival", () => {
    expect(order(fcfs.create("o", fcfs.Params.parse({}), deps).compare, items)).toEqual([1, 2, 3, 4]);
  });

  test("edf-ordering-policy orders by TTL deadline, ties by arrival", () => {
    expect(order(edf.create("o", edf.Params.parse({}), deps).compare, items)).toEqual([2, 3, 1, 4]);
  });

  test("slo-deadline-ordering-policy orders by enqueue + TTFT SLO; no SLO goes last", () => {
    // Deadlines: 2 → 150, 3 → 220, 4 → 10, 1 → ∞.
    expect(order(sloDeadline.create("o", sloDeadline.Params.parse({}), deps).compare, items)).toEqual([
      4, 2, 3, 1,
    ]);
  });
});
