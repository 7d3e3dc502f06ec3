import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/kv-cache-utilization-scorer.ts";
import { endpoint, NOW_MS, pluginDeps, scores } from "../builders.ts";

describe("kv-cache-utilization-scorer", () => {
  test("scores 1 − KV usage; stale or unscraped metrics count as a full cache", () => {
    const scorer = create("kv", Params.parse({}), pluginDeps());
    const pool = [
      endpoint("quarter", { metrics: { kvUsageRatio: 0.25 } }),
      endpoint("empty", { metrics: { kvUsageRatio: 0 } }),
      endpoint("stale", { metrics: { kvUsageRatio: 0, scrapedAtMs: NOW_MS - 2001 } }),
      endpoint("unscraped", { metrics: null }),
    ];
    expect(scores(scorer, pool)).toEqual([0.75, 1, 0, 0]);
  });
});
