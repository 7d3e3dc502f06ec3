import { describe, expect, test } from "bun:test";
import type { ProfilePlan } from "../../src/scheduler/build-plan.ts";
import { MapCycleState } from "../../src/scheduler/cycle-state.ts";
import * as maxScorePicker from "../../src/scheduler/picker/max-score-picker.ts";
import { runProfile } from "../../src/scheduler/profile.ts";
import { endpoint, pluginDeps, request } from "./builders.ts";
import { dropFilter, fixedPicker, fixedScorer, throwingFilter, throwingScorer } from "./fakes.ts";

const pool = [endpoint("a"), endpoint("b"), endpoint("c")];
const maxPicker = maxScorePicker.create("max-score-picker", {}, pluginDeps());

function run(plan: Partial<Omit<ProfilePlan, "scorerNames" | "scorerWeights">>) {
  const failures: string[] = [];
  let tick = 0;
  const scorers = plan.scorers ?? [];
  const scorerNames = scorers.map((s) => s.scorer.typedName.name);
  const scorerWeights = scorers.map((s) => s.weight);
  const record = runProfile(
    { name: "p", filters: [], picker: maxPicker, ...plan, scorers, scorerNames, scorerWeights },
    request(),
    pool,
    new MapCycleState(),
    () => tick++,
    (name) => failures.push(name),
  );
  return { record, failures };
}

describe("runProfile", () => {
  test("clamps each score to [0,1] (NaN → 0), then sums weight × score without normalising", () => {
    const { record } = run({
      scorers: [
        { scorer: fixedScorer("s1", { a: 2, b: 0.5, c: -1 }), weight: 3 },
        { scorer: fixedScorer("s2", { a: 0, b: Number.NaN, c: 1 }), weight: 2 },
      ],
    });
    expect([...record.scores]).toEqual([1, 0.5, 0, 0, 0, 1]);
    expect([...record.totals]).toEqual([3, 1.5, 2]);
    expect(record.survivors[record.winnerIndex]?.descriptor.id).toBe("a");
  });

  test("runs filters in order and records which filter removed each endpoint", () => {
    const { record } = run({ filters: [dropFilter("f1", ["b"]), dropFilter("f2", ["c"])] });
    expect(record.survivors.map((e) => e.descriptor.id)).toEqual(["a"]);
    expect(record.filteredIds).toEqual(["b", "c"]);
    expect(record.filteredBy).toEqual(["f1", "f2"]);
  });

  test("a filter that leaves nothing ends the profile without a winner", () => {
    const { record } = run({ filters: [dropFilter("all", ["a", "b", "c"]), dropFilter("never", [])] });
    expect(record.winnerIndex).toBe(-1);
    expect(record.filteredBy).toEqual(["all", "all", "all"]);
    expect(record.timedNames).toEqual(["all"]);
  });

  test("times every plugin it runs with the injected clock", () => {
    const { record } = run({
      filters: [dropFilter("f", [])],
      scorers: [{ scorer: fixedScorer("s", {}), weight: 1 }],
    });
    expect(record.timedNames).toEqual(["f", "s", "max-score-picker"]);
    expect([...record.timingsMs]).toEqual([1, 1, 1]);
  });

  test("a throwing scorer scores 0 everywhere and is counted; the decision goes on", () => {
    const { record, failures } = run({
      scorers: [
        { scorer: throwingScorer("bad"), weight: 5 },
        { scorer: fixedScorer("good", { b: 1 }), weight: 1 },
      ],
    });
    expect(failures).toEqual(["bad"]);
    expect(record.failedPlugins).toEqual(["bad"]);
    expect(record.survivors[record.winnerIndex]?.descriptor.id).toBe("b");
  });

  test("a throwing filter fails the profile (an unapplied filter could admit what it excludes)", () => {
    const { record, failures } = run({ filters: [throwingFilter("bad")] });
    expect(failures).toEqual(["bad"]);
    expect(record.winnerIndex).toBe(-1);
  });

  test("a picker index out of range fails the profile and is counted", () => {
    const { record, failures } = run({ picker: fixedPicker("bad", 7) });
    expect(failures).toEqual(["bad"]);
    expect(record.winnerIndex).toBe(-1);
  });
});
