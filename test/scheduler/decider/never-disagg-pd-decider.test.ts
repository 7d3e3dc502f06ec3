import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/decider/never-disagg-pd-decider.ts";
import type { PdDecider } from "../../../src/scheduler/types.ts";
import { endpoint, pluginDeps, prefixCycle, request } from "../builders.ts";

describe("never-disagg-pd-decider", () => {
  test("never adds a prefill leg, even for a long uncached prompt", () => {
    const decider: PdDecider = create("never", Params.parse({}), pluginDeps());
    expect(
      decider.disaggregate(request({ promptTokenEstimate: 100_000 }), endpoint("d"), prefixCycle(0, {})),
    ).toBe(false);
  });
});
