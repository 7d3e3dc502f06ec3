import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/token-load-scorer.ts";
import { endpoint, pluginDeps, prefixCycle, request, scores } from "../builders.ts";

describe("token-load-scorer", () => {
  const scorer = create("tokens", Params.parse({ queueThresholdTokens: 1000 }), pluginDeps());
  const req = request({ promptTokenEstimate: 100 });

  test("counts in-flight prefill tokens plus this request's uncached tokens on each endpoint", () => {
    // "warm" holds 10 blocks of 4 tokens: 40 cached, 60 uncached; 440 + 60 = 500 → 0.5.
    const pool = [
      endpoint("warm", { inFlight: { prefillTokens: 440 } }),
      endpoint("idle"),
      endpoint("flooded", { inFlight: { prefillTokens: 2000 } }),
    ];
    expect(scores(scorer, pool, req, prefixCycle(10, { warm: 10 }, 4))).toEqual([0.5, 0.9, 0]);
  });

  test("without prefix data the whole prompt counts as uncached", () => {
    expect(scores(scorer, [endpoint("a", { inFlight: { prefillTokens: 400 } })], req)).toEqual([0.5]);
  });

  test("defaults to llm-d's 4194304-token threshold", () => {
    expect(Params.parse({}).queueThresholdTokens).toBe(4_194_304);
  });
});
