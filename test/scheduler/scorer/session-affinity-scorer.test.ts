import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/session-affinity-scorer.ts";
import { endpoint, NOW_MS, pluginDeps, request, scores } from "../builders.ts";

const pool = [endpoint("a"), endpoint("b")];

describe("session-affinity-scorer", () => {
  test("scores the endpoint the session used last 1, others 0, after the pick is reported", () => {
    const scorer = create("session", Params.parse({}), pluginDeps());
    const req = request({ headers: { "x-session-id": "s1" } });
    expect(scores(scorer, pool, req)).toEqual([0, 0]);
    scorer.preRequest(req, "b");
    expect(scores(scorer, pool, req)).toEqual([0, 1]);
    expect(scores(scorer, pool, request({ headers: { "x-session-id": "s2" } }))).toEqual([0, 0]);
    expect(scores(scorer, pool, request())).toEqual([0, 0]);
  });

  test("forgets a session unused for evictionTtlSeconds", () => {
    let nowMs = NOW_MS;
    const scorer = create(
      "session",
      Params.parse({ evictionTtlSeconds: 10 }),
      pluginDeps({ now: () => nowMs }),
    );
    const req = request({ headers: { "x-session-id": "s1" } });
    scorer.preRequest(req, "a");
    nowMs += 10_000;
    expect(scores(scorer, pool, req)).toEqual([1, 0]);
    nowMs += 1;
    expect(scores(scorer, pool, req)).toEqual([0, 0]);
  });

  test("reads the session id from a cookie when configured and the header is absent", () => {
    const scorer = create("session", Params.parse({ cookieName: "sid" }), pluginDeps());
    const req = request({ headers: { cookie: "theme=dark; sid=abc; x=1" } });
    scorer.preRequest(req, "a");
    expect(scores(scorer, pool, req)).toEqual([1, 0]);
  });

  test("keeps at most maxSessions, dropping the least recently used", () => {
    const scorer = create("session", Params.parse({ maxSessions: 1 }), pluginDeps());
    const first = request({ headers: { "x-session-id": "s1" } });
    const second = request({ headers: { "x-session-id": "s2" } });
    scorer.preRequest(first, "a");
    scorer.preRequest(second, "b");
    expect(scores(scorer, pool, first)).toEqual([0, 0]);
    expect(scores(scorer, pool, second)).toEqual([0, 1]);
  });

  test("forgets sessions pinned to endpoints that left the pool", () => {
    const scorer = create("session", Params.parse({}), pluginDeps());
    const req = request({ headers: { "x-session-id": "s1" } });
    scorer.preRequest(req, "b");
    scorer.retainEndpoints(new Set(["a"]));
    expect(scores(scorer, [endpoint("a"), endpoint("b")], req)).toEqual([0, 0]);
  });
});
