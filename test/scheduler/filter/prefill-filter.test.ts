import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/filter/prefill-filter.ts";
import type { Filter } from "../../../src/scheduler/types.ts";
import { endpoint, ids, pluginDeps, request } from "../builders.ts";

describe("prefill-filter", () => {
  test("keeps prefill-capable roles from the llm-d.ai/role label or, unlabeled, the descriptor role", () => {
    const pool = [
      endpoint("p", { role: "prefill" }),
      endpoint("d", { role: "decode" }),
      endpoint("b", { role: "both" }),
      endpoint("label-ep", { role: "decode", labels: { "llm-d.ai/role": "encode-prefill" } }),
      endpoint("label-d", { role: "both", labels: { "llm-d.ai/role": "decode" } }),
    ];
    const filter: Filter = create("prefill", Params.parse({}), pluginDeps());
    expect(ids(filter.filter(request(), pool, new MapCycleState()))).toEqual(["p", "b", "label-ep"]);
  });
});
