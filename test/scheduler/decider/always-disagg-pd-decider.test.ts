import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/decider/always-disagg-pd-decider.ts";
import type { PdDecider } from "../../../src/scheduler/types.ts";
import { endpoint, pluginDeps, request } from "../builders.ts";

describe("always-disagg-pd-decider", () => {
  test("adds a prefill leg to every request, even one of a single token", () => {
    const decider: PdDecider = create("always", Params.parse({}), pluginDeps());
    expect(
      decider.disaggregate(request({ promptTokenEstimate: 1 }), endpoint("d"), new MapCycleState()),
    ).toBe(true);
  });
});
