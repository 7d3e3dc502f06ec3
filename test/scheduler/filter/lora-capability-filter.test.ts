import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/filter/lora-capability-filter.ts";
import type { Filter } from "../../../src/scheduler/types.ts";
import { endpoint, ids, pluginDeps, request } from "../builders.ts";

const pool = [
  endpoint("listed", { loraAdapters: ["sql"] }),
  endpoint("running", { metrics: { runningLoras: ["sql"], maxLoras: 1 } }),
  endpoint("waiting", { metrics: { runningLoras: ["x"], waitingLoras: ["sql"], maxLoras: 1 } }),
  endpoint("free-slot", { metrics: { runningLoras: ["x"], maxLoras: 2 } }),
  endpoint("full", { metrics: { runningLoras: ["x", "y"], maxLoras: 2 } }),
  endpoint("other-model", { models: ["other"], loraAdapters: ["sql"] }),
];

function kept(params: unknown, loraName: string | null): string[] {
  const filter: Filter = create("lora", Params.parse(params), pluginDeps());
  return ids(filter.filter(request({ loraName }), pool, new MapCycleState()));
}

describe("lora-capability-filter", () => {
  test("without an adapter keeps every endpoint serving the base model", () => {
    expect(kept({}, null)).toEqual(["listed", "running", "waiting", "free-slot", "full"]);
  });

  test("keeps endpoints that list the adapter or have it running or waiting", () => {
    expect(kept({}, "sql")).toEqual(["listed", "running", "waiting"]);
  });

  test("with allowLoadingOnCapacity also keeps engines with a free LoRA slot", () => {
    expect(kept({ allowLoadingOnCapacity: true }, "sql")).toEqual([
      "listed",
      "running",
      "waiting",
      "free-slot",
    ]);
  });
});
