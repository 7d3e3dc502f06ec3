import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/queue-scorer.ts";
import { endpoint, NOW_MS, pluginDeps, scores } from "../builders.ts";

describe("queue-scorer", () => {
  const scorer = create("queue", Params.parse({}), pluginDeps());

  test("min-max over fresh candidates; stale or unscraped endpoints score as the worst queue", () => {
    const pool = [
      endpoint("empty", { metrics: { waitingRequests: 0 } }),
      endpoint("half", { metrics: { waitingRequests: 5 } }),
      endpoint("longest", { metrics: { waitingRequests: 10 } }),
      endpoint("stale", { metrics: { waitingRequests: 0, scrapedAtMs: NOW_MS - 2001 } }),
      endpoint("unscraped", { metrics: null }),
    ];
    expect(scores(scorer, pool)).toEqual([1, 0.5, 0, 0, 0]);
  });

  test("equal queues all score 1; metrics exactly at the staleness bound are still fresh", () => {
    const pool = [
      endpoint("a", { metrics: { waitingRequests: 3 } }),
      endpoint("b", { metrics: { waitingRequests: 3, scrapedAtMs: NOW_MS - 2000 } }),
    ];
    expect(scores(scorer, pool)).toEqual([1, 1]);
  });
});
