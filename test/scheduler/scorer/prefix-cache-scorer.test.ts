import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/prefix-cache-scorer.ts";
import { endpoint, pluginDeps, prefixCycle, scores } from "../builders.ts";

const pool = [endpoint("all"), endpoint("half"), endpoint("none"), endpoint("two")];
const cycle = prefixCycle(10, { all: 10, half: 5, two: 2 }, 16);

describe("prefix-cache-scorer", () => {
  test("scores matched/total blocks by default", () => {
    const scorer = create("prefix", Params.parse({}), pluginDeps());
    expect(scores(scorer, pool, undefined, cycle)).toEqual([1, 0.5, 0, 0.2]);
  });

  test("matchLengthWeight mixes in min(1, matchedTokens/scale)²", () => {
    // scale 80 tokens: half → 80/80 = 1 → 0.5·1 + 0.5·0.5 = 0.75; two → 32/80 = 0.4 → 0.5·0.16 + 0.5·0.2 = 0.18.
    const scorer = create(
      "prefix",
      Params.parse({ matchLengthWeight: 0.5, matchLengthScaleTokens: 80 }),
      pluginDeps(),
    );
    const result = scores(scorer, pool, undefined, cycle);
    expect(result[0]).toBe(1);
    expect(result[1]).toBe(0.75);
    expect(result[2]).toBe(0);
    expect(result[3]).toBeCloseTo(0.18, 12);
  });

  test("scores 0 without prefix data or with an empty prompt", () => {
    const scorer = create("prefix", Params.parse({}), pluginDeps());
    expect(scores(scorer, pool)).toEqual([0, 0, 0, 0]);
    expect(scores(scorer, pool, undefined, prefixCycle(0, {}))).toEqual([0, 0, 0, 0]);
  });
});
