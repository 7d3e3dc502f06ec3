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
  scorerWeights: [3, 2],
  scores: Float64Array.of(0.5, 1, 0, 0.25),
  totals: Float64Array.of(1.5, 3.5),
  filteredIds: ["c"],
  filteredBy: ["health-filter"],
  timedNames: ["health-filter", "prefix", "queue", "max-score-picker"],
  timingsMs: Float64Array.of(0.001, 0.002, 0.003, 0.0004),
  failedPlugins: [],
};

const meta = {
  requestId: "r1",
  decidedAtMs: 42,
  durationUs: 12,
  producerNames: ["approx"],
  producerTimingsMs: Float64Array.of(0.01),
  failedProducers: [],
};

describe("toExplanation", () => {
  const explanation = toExplanation(record, meta);

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

describe("decidedBy", () => {
  test("names the scorer with the largest weighted lead over the runner-up", () => {
    // prefix leads by 3 × (1 - 0.5) = 1.5, queue by 2 × (0.25 - 0) = 0.5.
    expect(toExplanation(record, meta).decidedBy).toBe("prefix");
  });

  test("compares the winner with the best other endpoint, not with every endpoint", () => {
    // Winner b (total 2), runner-up c (total 1.5), a far behind: prefix b-c = 3 × 0 = 0,
    // queue b-c = 2 × (1 - 0.75) = 0.5; against a, prefix would lead by 3.
    const three: ProfileRecord = {
      ...record,
      survivors: [endpoint("a"), endpoint("b"), endpoint("c")],
      scores: Float64Array.of(0, 0, 0, 0, 1, 0.75),
      totals: Float64Array.of(0, 2, 1.5),
    };
    expect(toExplanation(three, meta).decidedBy).toBe("queue");
  });

  test("is empty for a tie the picker broke and for a single candidate", () => {
    const tie: ProfileRecord = {
      ...record,
      scores: Float64Array.of(1, 1, 0.5, 0.5),
      totals: Float64Array.of(4, 4),
    };
    expect(toExplanation(tie, meta).decidedBy).toBe("");
    const single: ProfileRecord = {
      ...record,
      survivors: [endpoint("a")],
      winnerIndex: 0,
      scores: Float64Array.of(1, 1),
      totals: Float64Array.of(5),
    };
    expect(toExplanation(single, meta).decidedBy).toBe("");
  });
});
