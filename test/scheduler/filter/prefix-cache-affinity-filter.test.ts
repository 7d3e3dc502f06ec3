import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/filter/prefix-cache-affinity-filter.ts";
import type { Filter } from "../../../src/scheduler/types.ts";
import { endpoint, ids, pluginDeps, prefixCycle, request } from "../builders.ts";

// 1000 tok/s → 1 ms per token. Prompt 1000 tokens in 63 blocks of 16; "warm" holds 60 blocks (960 tokens,
// ratio 0.952), so its own uncached part is 40 tokens and a cold endpoint's is 1000.
const BASE = { peakPrefillThroughput: 1000, maxTTFTPenaltyMs: 500 };
const req = request({ promptTokenEstimate: 1000 });
const cycle = prefixCycle(63, { warm: 60, half: 30 });

function kept(params: unknown, warmInFlight: number, coldInFlight = 0, warmWaiting = 0): string[] {
  const filter: Filter = create("affinity", Params.parse(params), pluginDeps());
  const pool = [
    endpoint("warm", {
      inFlight: { prefillTokens: warmInFlight },
      metrics: { waitingRequests: warmWaiting },
    }),
    endpoint("half"),
    endpoint("cold", { inFlight: { prefillTokens: coldInFlight } }),
  ];
  return ids(filter.filter(req, pool, cycle));
}

describe("prefix-cache-affinity-filter", () => {
  test("keeps only endpoints whose prefix ratio reaches affinityThreshold", () => {
    expect(kept(BASE, 0)).toEqual(["warm"]);
  });

  test("sticks while warm TTFT − best cold TTFT stays within maxTTFTPenaltyMs", () => {
    // Best cold is "half" (ratio 0.476): 1000 − 480 cached = 520 ms. Warm: in-flight + 40 ms.
    expect(kept(BASE, 940)).toEqual(["warm"]); // 980 − 520 = 460
    expect(kept(BASE, 980)).toEqual(["warm"]); // 1020 − 520 = 500, not above the bound
  });

  test("releases to every endpoint once the warm one costs more than the bound", () => {
    expect(kept(BASE, 981)).toEqual(["warm", "half", "cold"]); // 1021 − 520 = 501 > 500
  });

  test("requests waiting in the warm engine's own queue count queuedRequestPenaltyMs each", () => {
    // Warm: 40 ms of its own prefill + 2 × 200 ms queued = 440 ms − 520 ms best cold: sticks.
    expect(kept({ ...BASE, queuedRequestPenaltyMs: 200 }, 0, 0, 2)).toEqual(["warm"]);
    // 40 + 5 × 200 = 1040 ms − 520 = 520 > 500: released, although its queued prefill is tiny.
    expect(kept({ ...BASE, queuedRequestPenaltyMs: 200 }, 0, 0, 5)).toEqual(["warm", "half", "cold"]);
    // With the queue term off (llm-d's estimate) the same queue never releases.
    expect(kept({ ...BASE, queuedRequestPenaltyMs: 0 }, 0, 0, 50)).toEqual(["warm"]);
  });

  test("maxTTFTPenaltyMs 0 always sticks", () => {
    expect(kept({ ...BASE, maxTTFTPenaltyMs: 0 }, 1_000_000)).toEqual(["warm"]);
  });

  test("keeps all when no endpoint is warm, when all are, or without prefix data", () => {
    expect(kept({ ...BASE, affinityThreshold: 0.99 }, 0)).toEqual(["warm", "half", "cold"]);
    expect(kept({ ...BASE, affinityThreshold: 0 }, 0)).toEqual(["warm", "half", "cold"]);
    const filter: Filter = create("affinity", Params.parse(BASE), pluginDeps());
    const pool = [endpoint("warm"), endpoint("cold")];
    expect(filter.filter(req, pool, new MapCycleState())).toBe(pool);
  });

  test("explorationProbability 1 skips the filter", () => {
    expect(kept({ ...BASE, explorationProbability: 1 }, 0)).toEqual(["warm", "half", "cold"]);
  });

  test("defaults: threshold 0.80, 2000 ms bound, 15928 tok/s, 250 ms per queued request", () => {
    expect(Params.parse({})).toEqual({
      affinityThreshold: 0.8,
      maxTTFTPenaltyMs: 2000,
      peakPrefillThroughput: 15928,
      queuedRequestPenaltyMs: 250,
      explorationProbability: 0,
      ttftSource: "prefillThroughput",
    });
    expect(Params.safeParse({ ttftSource: "latencyPredictor" }).success).toBe(false);
  });
});
