import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/scorer/lora-affinity-scorer.ts";
import { endpoint, pluginDeps, request, scores } from "../builders.ts";

const pool = [
  endpoint("active", { metrics: { runningLoras: ["sql"], maxLoras: 2 } }),
  endpoint("free-slot", { metrics: { runningLoras: ["x"], maxLoras: 2 } }),
  endpoint("waiting", { metrics: { runningLoras: ["x", "y"], waitingLoras: ["sql"], maxLoras: 2 } }),
  endpoint("full", { metrics: { runningLoras: ["x", "y"], maxLoras: 2 } }),
  endpoint("no-lora-info", { metrics: { maxLoras: null } }),
  endpoint("unscraped-listed", { metrics: null, loraAdapters: ["sql"] }),
  endpoint("unscraped", { metrics: null }),
];

describe("lora-affinity-scorer", () => {
  const scorer = create("lora", Params.parse({}), pluginDeps());

  test("1.0 active, 0.8 free slot, 0.6 waiting on a full engine, 0 full", () => {
    expect(scores(scorer, pool, request({ loraName: "sql" }))).toEqual([1, 0.8, 0.6, 0, 0.8, 0.8, 0]);
  });

  test("scores 1 everywhere when no adapter is requested", () => {
    expect(scores(scorer, pool, request())).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });
});
