import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { create, Params } from "../../../src/scheduler/filter/utilization-filter.ts";
import type { Filter } from "../../../src/scheduler/types.ts";
import { endpoint, ids, NOW_MS, pluginDeps, request } from "../builders.ts";

const pool = [
  endpoint("idle"),
  endpoint("queued", { metrics: { waitingRequests: 6 } }),
  endpoint("kv-full", { metrics: { kvUsageRatio: 0.95 } }),
  endpoint("busy", { metrics: { runningRequests: 40 }, inFlight: { requests: 9 } }),
  endpoint("stale", { metrics: { scrapedAtMs: NOW_MS - 2001 } }),
  endpoint("unscraped", { metrics: null, inFlight: { requests: 1 } }),
];

function kept(params: unknown, endpoints = pool): string[] {
  const filter: Filter = create("util", Params.parse(params), pluginDeps());
  return ids(filter.filter(request(), endpoints, new MapCycleState()));
}

describe("utilization-filter", () => {
  test("waiting-queue and kv-cache-utilization bounds; stale or missing metrics fail", () => {
    const params = {
      conditions: [
        { metric: "waiting-queue", maxValue: 5 },
        { metric: "kv-cache-utilization", maxValue: 0.9 },
      ],
    };
    expect(kept(params)).toEqual(["idle", "busy"]);
  });

  test("running-requests bound", () => {
    expect(kept({ conditions: [{ metric: "running-requests", maxValue: 39 }] })).toEqual([
      "idle",
      "queued",
      "kv-full",
    ]);
  });

  test("active-requests reads the gateway's in-flight count, which is never stale", () => {
    expect(kept({ conditions: [{ metric: "active-requests", maxValue: 1 }] })).toEqual([
      "idle",
      "queued",
      "kv-full",
      "stale",
      "unscraped",
    ]);
  });

  test("keeps everything when nothing passes, unless fallbackOnEmpty is false", () => {
    const saturated = [
      endpoint("q1", { metrics: { waitingRequests: 9 } }),
      endpoint("q2", { metrics: { waitingRequests: 7 } }),
    ];
    const condition = { metric: "waiting-queue", maxValue: 1 };
    expect(kept({ conditions: [condition] }, saturated)).toEqual(["q1", "q2"]);
    expect(kept({ conditions: [condition], fallbackOnEmpty: false }, saturated)).toEqual([]);
  });

  test("needs at least one condition", () => {
    expect(Params.safeParse({ conditions: [] }).success).toBe(false);
  });
});
