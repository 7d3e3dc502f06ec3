import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/decider/prefix-based-pd-decider.ts";
import { endpoint, pluginDeps, prefixCycle, request } from "../builders.ts";

function decider(params: Record<string, unknown> = {}) {
  return create("pd", Params.parse(params), pluginDeps());
}

/** Decides for a prompt of `promptTokens` when decode endpoint "d" holds `matchedBlocks` blocks of 16 tokens. */
function decide(params: Record<string, unknown>, promptTokens: number, matchedBlocks: number): boolean {
  const cycle = prefixCycle(Math.ceil(promptTokens / 16), { d: matchedBlocks, other: 1000 });
  return decider(params).disaggregate(request({ promptTokenEstimate: promptTokens }), endpoint("d"), cycle);
}

describe("prefix-based-pd-decider", () => {
  test("defaults: 2048 uncached tokens, skip when the decode endpoint holds 80% of the prompt", () => {
    expect(Params.parse({})).toEqual({ nonCachedTokens: 2048, maxDecodeCachedFraction: 0.8 });
  });

  test.each([
    // [threshold, prompt tokens, blocks the decode endpoint holds, expected], hand-computed with 16-token blocks
    [256, 255, 0, false], // the prompt alone is under the threshold
    [256, 256, 0, true], // 256 uncached ≥ 256
    [256, 1000, 47, false], // hit 752 (75%): 248 uncached < 256
    [256, 1000, 40, true], // hit 640 (64%): 360 uncached ≥ 256
    [256, 1000, 50, false], // hit 800 (80%): held fraction reaches 0.8
    [256, 4000, 200, false], // hit 3200 (80%): skipped although 800 uncached ≥ 256
    [256, 4000, 199, true], // hit 3184 (79.6%): 816 uncached ≥ 256
  ])("threshold %d, prompt %d, decode holds %d blocks → %p", (threshold, prompt, blocks, expected) => {
    expect(decide({ nonCachedTokens: threshold }, prompt, blocks)).toBe(expected);
  });

  test("counts only what the chosen decode endpoint holds, not other endpoints", () => {
    // "other" holds everything; "d" holds nothing.
    expect(decide({ nonCachedTokens: 100 }, 1000, 0)).toBe(true);
  });

  test("with maxDecodeCachedFraction 1 only the token threshold decides", () => {
    expect(decide({ nonCachedTokens: 100, maxDecodeCachedFraction: 1 }, 4000, 240)).toBe(true); // 160 uncached
    expect(decide({ nonCachedTokens: 200, maxDecodeCachedFraction: 1 }, 4000, 240)).toBe(false);
  });

  test("nonCachedTokens 0 never disaggregates (llm-d)", () => {
    expect(decide({ nonCachedTokens: 0 }, 100_000, 0)).toBe(false);
  });

  test("without prefix information says no (llm-d)", () => {
    const req = request({ promptTokenEstimate: 10_000 });
    expect(decider().disaggregate(req, endpoint("d"), new MapCycleState())).toBe(false);
  });

  test("rejects out-of-range parameters", () => {
    expect(Params.safeParse({ nonCachedTokens: -1 }).success).toBe(false);
    expect(Params.safeParse({ nonCachedTokens: 1.5 }).success).toBe(false);
    expect(Params.safeParse({ maxDecodeCachedFraction: 1.1 }).success).toBe(false);
  });
});
