import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/running-requests-size-scorer.ts";
import { endpoint, NOW_MS, pluginDeps, scores } from "../builders.ts";

describe("running-requests-size-scorer", () => {
  test("min-max over running requests; stale endpoints score 0", () => {
    const scorer = create("running", Params.parse({}), pluginDeps());
    const pool = [
      endpoint("a", { metrics: { runningRequests: 2 } }),
      endpoint("b", { metrics: { runningRequests: 6 } }),
      endpoint("c", { metrics: { runningRequests: 10 } }),
      endpoint("stale", { metrics: { runningRequests: 0, scrapedAtMs: NOW_MS - 5000 } }),
    ];
    expect(scores(scorer, pool)).toEqual([1, 0.5, 0, 0]);
  });
});
