import { describe, expect, test } from "bun:test";
import { toExplanation } from "../../src/scheduler/explain.ts";
import type { ProfileRecord } from "../../src/scheduler/profile.ts";
import { endpoint } from "./builders.ts";

const record: ProfileRecord = {
  profile: "default",
  picker: "max-score-picker",
  survivors: [endpoint("a"), endpoint("b")],
  winnerIndex: 1,
  scorerNames: ["prefix", "queue"],
  scores: Float64Array.of(0.5, 1, 0, 0.25),
  totals: Float64Array.of(1.5, 3.5),
  filteredIds: ["c"],
  filteredBy: ["health-filter"],
  timedNames: ["health-filter", "prefix", "queue", "max-score-picker"],
  timingsMs: Float64Array.of(0.001, 0.002, 0.003, 0.0004),
  failedPlugins: [],
};

describe("toExplanation", () => {
  const explanation = toExplanation(record, {
    requestId: "r1",
    decidedAtMs: 42,
    durationUs: 12,
    producerNames: ["approx"],
    producerTimingsMs: Float64Array.of(0.01),
    failedProducers: [],
  });

  test("gives per-plugin scores per endpoint, the weighted total, the winner and who filtered what", () => {
    expect(explanation.winner).toBe("b");
    expect(explanation.scores).toEqual({
      a: { prefix: 0.5, queue: 0, total: 1.5 },
      b: { prefix: 1, queue: 0.25, total: 3.5 },
    });
    expect(explanation.filteredOut).toEqual({ c: "health-filter" });
    expect(explanation.timingsUs).toEqual({
      approx: 10,
      "health-filter": 1,
      prefix: 2,
      queue: 3,
      "max-score-picker": 0.4,
    });
  });

  test("serialises to the same plain data", () => {
    const json = JSON.parse(JSON.stringify(explanation));
    expect(json).toMatchObject({
      profile: "default",
      picker: "max-score-picker",
      winner: "b",
      requestId: "r1",
      decidedAtMs: 42,
    });
    expect(json.scores.b.total).toBe(3.5);
    expect(json.filteredOut).toEqual({ c: "health-filter" });
  });
});
