import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { createBuiltinRegistry } from "../../src/scheduler/builtin.ts";
import { PREFIX_MATCH_KEY } from "../../src/scheduler/data-keys.ts";
import { createScheduler, type SchedulerDeps } from "../../src/scheduler/scheduler.ts";
import { createSeededRng } from "../../src/scheduler/seeded-rng.ts";
import type { Producer } from "../../src/scheduler/types.ts";
import { endpoint, NOW_MS, request, schedulerConfig } from "./builders.ts";

const deps: SchedulerDeps = { rng: createSeededRng(1), now: () => NOW_MS };
const PROMPT = "P".repeat(640);

function defaultScheduler(extra: Partial<SchedulerDeps> = {}) {
  const created = createScheduler(schedulerConfig(), { ...deps, ...extra });
  if (!created.ok) throw new Error(JSON.stringify(created.problems));
  return created.scheduler;
}

function winner(result: ReturnType<ReturnType<typeof defaultScheduler>["schedule"]>): string {
  return result.ok ? result.endpoint.descriptor.id : `none: ${result.message}`;
}

describe("createScheduler", () => {
  const pool = [
    endpoint("a", { metrics: { waitingRequests: 0, kvUsageRatio: 0.5 } }),
    endpoint("b", { metrics: { waitingRequests: 4, kvUsageRatio: 0 } }),
  ];

  test("with no plugins configured runs llmux's default: prefix 3, queue 2, KV cache 2, no-hit-LRU 2, active 2", () => {
    const result = defaultScheduler().schedule(request({ prompt: PROMPT }), pool);
    // Cold request, both engines idle. a: 3·0 + 2·1 + 2·0.5 + 2·1 + 2·1 = 7; b: 0 + 0 + 2·1 + 2·0 + 2·1 = 4.
    expect(result.ok && result.explanation.scores).toEqual({
      a: {
        "prefix-cache-scorer": 0,
        "queue-scorer": 1,
        "kv-cache-utilization-scorer": 0.5,
        "no-hit-lru-scorer": 1,
        "active-request-scorer": 1,
        total: 7,
      },
      b: {
        "prefix-cache-scorer": 0,
        "queue-scorer": 0,
        "kv-cache-utilization-scorer": 1,
        "no-hit-lru-scorer": 0,
        "active-request-scorer": 1,
        total: 4,
      },
    });
    expect(winner(result)).toBe("a");
  });

  test("the default's active-request scorer gives 1 to an idle engine and 0 to any busy one", () => {
    const busy = [
      endpoint("idle", { metrics: { kvUsageRatio: 0.5 } }),
      endpoint("light", { inFlight: { requests: 1 } }),
      endpoint("heavy", { inFlight: { requests: 4 } }),
    ];
    const result = defaultScheduler().schedule(request({ prompt: PROMPT }), busy);
    const active = (id: string) =>
      result.ok ? result.explanation.scores[id]?.["active-request-scorer"] : -1;
    // idle → 1; light: (4 − 1)/4 · 0 = 0; heavy: (4 − 4)/4 · 0 = 0.
    expect([active("idle"), active("light"), active("heavy")]).toEqual([1, 0, 0]);
  });

  test("learns from onPicked: the picked endpoint's prefix then outweighs load", () => {
    const scheduler = defaultScheduler();
    scheduler.onPicked(request({ prompt: PROMPT }), "b");
    const result = scheduler.schedule(request({ prompt: PROMPT }), pool);
    // Warm now, so no-hit-LRU scores 0.5 everywhere. b: 3·1 + 2·0 + 2·1 + 2·0.5 + 2·1 = 8 > a: 6.
    expect(winner(result)).toBe("b");
    expect(result.ok && result.cachedTokensEstimate).toBe(160);
  });

  test("forgets what it learned about endpoints that left", () => {
    const scheduler = defaultScheduler();
    scheduler.onPicked(request({ prompt: PROMPT }), "b");
    scheduler.retainEndpoints(new Set(["a"]));
    expect(winner(scheduler.schedule(request({ prompt: PROMPT }), pool))).toBe("a");
  });

  test("fails with scheduler_no_endpoints and names the filter that removed the last candidates", () => {
    const scheduler = defaultScheduler();
    expect(scheduler.schedule(request(), [])).toEqual({
      ok: false,
      code: "scheduler_no_endpoints",
      message: "no endpoint can serve m",
    });
    expect(scheduler.schedule(request(), [endpoint("x", { isHealthy: false })])).toEqual({
      ok: false,
      code: "scheduler_no_endpoints",
      message: "no endpoint can serve m: health-filter removed the last candidates",
    });
  });

  test("records every decision, newest first, bounded by decisionHistorySize", () => {
    const scheduler = defaultScheduler({ decisionHistorySize: 2 });
    for (const id of ["r1", "r2", "r3"]) scheduler.schedule(request({ requestId: id }), pool);
    const recent = scheduler.recentDecisions(10);
    expect(recent.map((d) => d.requestId)).toEqual(["r3", "r2"]);
    expect(recent[0]).toMatchObject({
      profile: "default",
      picker: "max-score-picker",
      winner: "a",
      decidedAtMs: NOW_MS,
    });
    expect(Object.keys(recent[0]?.timingsUs ?? {})).toEqual([
      "approx-prefix-cache-producer",
      "health-filter",
      "prefix-cache-scorer",
      "queue-scorer",
      "kv-cache-utilization-scorer",
      "no-hit-lru-scorer",
      "active-request-scorer",
      "max-score-picker",
    ]);
  });

  test("returns every config problem instead of a scheduler", () => {
    const created = createScheduler(
      schedulerConfig({
        plugins: [{ type: "nope" }],
        schedulingProfiles: [{ name: "p", plugins: [{ pluginRef: "x" }] }],
      }),
      deps,
    );
    expect(created.ok).toBe(false);
    if (!created.ok)
      expect(created.problems.map((p) => p.path)).toEqual([
        "scheduler.plugins[0].type",
        "scheduler.schedulingProfiles[0].plugins[0].pluginRef",
      ]);
  });

  test("the same seed gives the same tie-breaks", () => {
    const tied = [endpoint("a"), endpoint("b"), endpoint("c"), endpoint("d")];
    // A load-only profile: the default's no-hit-LRU scorer would rank these cold requests itself.
    const loadOnly = schedulerConfig({ plugins: [{ type: "queue-scorer" }] });
    const picks = (seed: number) => {
      const created = createScheduler(loadOnly, { ...deps, rng: createSeededRng(seed) });
      if (!created.ok) throw new Error(JSON.stringify(created.problems));
      const scheduler = created.scheduler;
      return Array.from({ length: 20 }, (_, i) =>
        winner(scheduler.schedule(request({ requestId: `r${i}` }), tied)),
      );
    };
    expect(picks(9)).toEqual(picks(9));
    expect(new Set(picks(9)).size).toBeGreaterThan(1);
  });

  test("a throwing producer leaves its data absent, is counted, and the decision goes on", () => {
    const registry = createBuiltinRegistry();
    registry.register("producer", "alpha", {
      TYPE: "broken-producer",
      Params: z.strictObject({}),
      create: (name: string): Producer => ({
        typedName: { type: "broken-producer", name },
        consumes: [],
        produces: [PREFIX_MATCH_KEY],
        produce: () => {
          throw new Error("index corrupted");
        },
      }),
    });
    const created = createScheduler(
      schedulerConfig({ plugins: [{ type: "broken-producer" }, { type: "prefix-cache-scorer" }] }),
      { ...deps, registry },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.problems));
    const result = created.scheduler.schedule(request(), pool);
    expect(result.ok && result.explanation.failedPlugins).toEqual(["broken-producer"]);
    expect(created.scheduler.pluginFailures().get("broken-producer")).toEqual({
      count: 1,
      lastMessage: "index corrupted",
    });
  });
});
