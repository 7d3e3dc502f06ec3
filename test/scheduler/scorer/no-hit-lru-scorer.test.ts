import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/no-hit-lru-scorer.ts";
import { endpoint, pluginDeps, prefixCycle, request, scores } from "../builders.ts";

const pool = [endpoint("a"), endpoint("b"), endpoint("c")];

describe("no-hit-lru-scorer", () => {
  test("ranks cold requests: never-used endpoints first, then least recently used", () => {
    const scorer = create("lru", Params.parse({}), pluginDeps());
    const req = request();
    const cold1 = prefixCycle(4, {});
    expect(scores(scorer, pool, req, cold1)).toEqual([1, 0.5, 0]);
    scorer.preRequest(req, "a", cold1);
    const cold2 = prefixCycle(4, {});
    expect(scores(scorer, pool, req, cold2)).toEqual([0, 1, 0.5]);
    scorer.preRequest(req, "c", cold2);
    expect(scores(scorer, pool, req, prefixCycle(4, {}))).toEqual([0.5, 1, 0]);
  });

  test("warm requests score 0.5 everywhere and do not move the LRU", () => {
    const scorer = create("lru", Params.parse({}), pluginDeps());
    const warm = prefixCycle(4, { b: 1 });
    expect(scores(scorer, pool, request(), warm)).toEqual([0.5, 0.5, 0.5]);
    scorer.preRequest(request(), "a", warm);
    expect(scores(scorer, pool, request(), prefixCycle(4, {}))).toEqual([1, 0.5, 0]);
  });

  test("a single cold candidate scores 1", () => {
    const scorer = create("lru", Params.parse({}), pluginDeps());
    expect(scores(scorer, [endpoint("a")], request(), prefixCycle(4, {}))).toEqual([1]);
  });

  test("lruSize bounds the endpoints remembered; forgotten ones count as never used", () => {
    const scorer = create("lru", Params.parse({ lruSize: 1 }), pluginDeps());
    const req = request();
    const cold1 = prefixCycle(4, {});
    scores(scorer, pool, req, cold1);
    scorer.preRequest(req, "a", cold1);
    const cold2 = prefixCycle(4, {});
    scores(scorer, pool, req, cold2);
    scorer.preRequest(req, "b", cold2);
    expect(scores(scorer, pool, req, prefixCycle(4, {}))).toEqual([1, 0, 0.5]);
  });
});
