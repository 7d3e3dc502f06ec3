import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/filter/health-filter.ts";
import type { Filter } from "../../../src/scheduler/types.ts";
import { endpoint, ids, pluginDeps, request } from "../builders.ts";

describe("health-filter", () => {
  const filter: Filter = create("health", Params.parse({}), pluginDeps());

  test("drops unhealthy and circuit-open endpoints, keeps half-open ones", () => {
    const pool = [
      endpoint("a"),
      endpoint("b", { isHealthy: false }),
      endpoint("c", { circuit: "open" }),
      endpoint("d", { circuit: "half-open" }),
    ];
    expect(ids(filter.filter(request(), pool, new MapCycleState()))).toEqual(["a", "d"]);
  });

  test("returns the input array itself when every endpoint passes", () => {
    const pool = [endpoint("a"), endpoint("b")];
    expect(filter.filter(request(), pool, new MapCycleState())).toBe(pool);
  });
});
