import { describe, expect, test } from "bun:test";
import { DecisionRing } from "../../src/scheduler/decision-ring.ts";
import type { DecisionExplanation } from "../../src/scheduler/types.ts";

function decision(winner: string): DecisionExplanation {
  return { profile: "p", picker: "k", winner, scores: {}, filteredOut: {} };
}

describe("DecisionRing", () => {
  test("returns the newest first, bounded by capacity and limit", () => {
    const ring = new DecisionRing(3);
    for (const id of ["1", "2", "3", "4"]) ring.push(decision(id));
    expect(ring.recent(10).map((d) => d.winner)).toEqual(["4", "3", "2"]);
    expect(ring.recent(2).map((d) => d.winner)).toEqual(["4", "3"]);
    expect(ring.recent(0)).toEqual([]);
    expect(ring.recent(-5)).toEqual([]);
  });

  test("capacity 0 keeps nothing", () => {
    const ring = new DecisionRing(0);
    ring.push(decision("1"));
    expect(ring.recent(5)).toEqual([]);
  });
});
