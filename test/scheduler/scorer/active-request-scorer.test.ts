import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/active-request-scorer.ts";
import { endpoint, pluginDeps, scores } from "../builders.ts";

function run(params: unknown, counts: number[]): number[] {
  const scorer = create("active", Params.parse(params), pluginDeps());
  return scores(
    scorer,
    counts.map((requests, i) => endpoint(`e${i}`, { inFlight: { requests } })),
  );
}

describe("active-request-scorer", () => {
  test("idle scores 1, others (maxC − c)/maxC", () => {
    expect(run({}, [0, 2, 4])).toEqual([1, 0.5, 0]);
  });

  test("idleThreshold widens what counts as idle", () => {
    expect(run({ idleThreshold: 2 }, [0, 2, 4])).toEqual([1, 1, 0]);
  });

  test("maxBusyScore caps non-idle endpoints", () => {
    expect(run({ maxBusyScore: 0.5 }, [1, 3])).toEqual([(2 / 3) * 0.5, 0]);
  });

  test("all idle all score 1", () => {
    expect(run({}, [0, 0])).toEqual([1, 1]);
  });
});
