import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/filter/decode-filter.ts";
import type { Filter } from "../../../src/scheduler/types.ts";
import { endpoint, ids, pluginDeps, request } from "../builders.ts";

describe("decode-filter", () => {
  test("keeps decode-capable roles from the llm-d.ai/role label or, unlabeled, the descriptor role", () => {
    const pool = [
      endpoint("p", { role: "prefill" }),
      endpoint("d", { role: "decode" }),
      endpoint("b", { role: "both" }),
      endpoint("label-pd", { role: "prefill", labels: { "llm-d.ai/role": "prefill-decode" } }),
      endpoint("label-e", { role: "both", labels: { "llm-d.ai/role": "encode" } }),
      endpoint("label-epd", { labels: { "llm-d.ai/role": "encode-prefill-decode" } }),
    ];
    const filter: Filter = create("decode", Params.parse({}), pluginDeps());
    expect(ids(filter.filter(request(), pool, new MapCycleState()))).toEqual([
      "d",
      "b",
      "label-pd",
      "label-epd",
    ]);
  });
});
