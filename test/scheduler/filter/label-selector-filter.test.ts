import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/filter/label-selector-filter.ts";
import type { Filter } from "../../../src/scheduler/types.ts";
import { endpoint, ids, pluginDeps, request } from "../builders.ts";

const pool = [
  endpoint("gpu-a100", { labels: { gpu: "a100", zone: "x" } }),
  endpoint("gpu-h100", { labels: { gpu: "h100", zone: "y" } }),
  endpoint("cpu", { labels: { zone: "x" } }),
];

function kept(params: unknown): string[] {
  const filter: Filter = create("sel", Params.parse(params), pluginDeps());
  return ids(filter.filter(request(), pool, new MapCycleState()));
}

describe("label-selector-filter", () => {
  test.each([
    ["empty selector keeps all", {}, ["gpu-a100", "gpu-h100", "cpu"]],
    ["matchLabels needs every pair", { matchLabels: { gpu: "a100", zone: "x" } }, ["gpu-a100"]],
    ["In", { matchExpressions: [{ key: "gpu", operator: "In", values: ["h100", "b200"] }] }, ["gpu-h100"]],
    [
      "NotIn also holds for an absent label",
      { matchExpressions: [{ key: "gpu", operator: "NotIn", values: ["h100"] }] },
      ["gpu-a100", "cpu"],
    ],
    ["Exists", { matchExpressions: [{ key: "gpu", operator: "Exists" }] }, ["gpu-a100", "gpu-h100"]],
    ["DoesNotExist", { matchExpressions: [{ key: "gpu", operator: "DoesNotExist" }] }, ["cpu"]],
    [
      "labels and expressions together",
      { matchLabels: { zone: "x" }, matchExpressions: [{ key: "gpu", operator: "Exists" }] },
      ["gpu-a100"],
    ],
  ])("%s", (_name, params, expected) => {
    expect(kept(params)).toEqual(expected);
  });

  test("rejects In without values and Exists with values", () => {
    expect(Params.safeParse({ matchExpressions: [{ key: "k", operator: "In" }] }).success).toBe(false);
    expect(
      Params.safeParse({ matchExpressions: [{ key: "k", operator: "Exists", values: ["v"] }] }).success,
    ).toBe(false);
    expect(
      Params.safeParse({ matchExpressions: [{ key: "k", operator: "Like", values: ["v"] }] }).success,
    ).toBe(false);
  });
});
