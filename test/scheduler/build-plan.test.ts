import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { buildPlan, type PlanConfig } from "../../src/scheduler/build-plan.ts";
import { createBuiltinRegistry } from "../../src/scheduler/builtin.ts";
import type { DataKey, Scorer } from "../../src/scheduler/types.ts";
import { pluginDeps } from "./builders.ts";

function build(config: PlanConfig, registry = createBuiltinRegistry()) {
  return buildPlan(config, registry, pluginDeps());
}

function problemsOf(config: PlanConfig, registry = createBuiltinRegistry()) {
  const result = build(config, registry);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe("buildPlan", () => {
  test("reports every problem at once, each with its config path", () => {
    const problems = problemsOf({
      plugins: [
        { type: "queue-scorer" },
        { type: "no-such-scorer" },
        { type: "prefix-cache-affinity-filter", parameters: { affinityThreshold: -1, bogus: 1 } },
        { type: "kv-cache-utilization-scorer", name: "queue-scorer" },
        { type: "random-picker" },
        { type: "max-score-picker" },
        { type: "single-profile-handler" },
      ],
      schedulingProfiles: [
        {
          name: "p",
          plugins: [
            { pluginRef: "queue-scorer", weight: 2 },
            { pluginRef: "missing" },
            { pluginRef: "random-picker", weight: 1 },
            { pluginRef: "max-score-picker" },
            { pluginRef: "single-profile-handler" },
            { pluginRef: "queue-scorer" },
          ],
        },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^scheduler\.plugins\[1\]\.type: unknown plugin type "no-such-scorer"; known: health-filter, /,
      ),
      "scheduler.plugins[2].parameters.affinityThreshold: expected number >= 0, got -1",
      "scheduler.plugins[2].parameters.bogus: unknown parameter",
      'scheduler.plugins[3].name: duplicate plugin name "queue-scorer" (also scheduler.plugins[0])',
      'scheduler.schedulingProfiles[0].plugins[1].pluginRef: no plugin named "missing" in scheduler.plugins',
      'scheduler.schedulingProfiles[0].plugins[2].weight: weight applies to scorers only; "random-picker" is a picker',
      'scheduler.schedulingProfiles[0].plugins[3].pluginRef: a profile has one picker; "max-score-picker" would be a second',
      'scheduler.schedulingProfiles[0].plugins[4].pluginRef: "single-profile-handler" is a profile-handler; profiles list filters, scorers and a picker',
      'scheduler.schedulingProfiles[0].plugins[5].pluginRef: "queue-scorer" is already in this profile',
    ]);
  });

  test("rejects more profiles than the handler runs, two handlers, duplicate profiles and the reserved name", () => {
    expect(
      problemsOf({
        plugins: [
          { type: "queue-scorer", name: "total" },
          { type: "single-profile-handler" },
          { type: "single-profile-handler", name: "second" },
        ],
        schedulingProfiles: [
          { name: "a", plugins: [{ pluginRef: "total" }] },
          { name: "a", plugins: [{ pluginRef: "total" }] },
          { name: "b", plugins: [{ pluginRef: "total" }] },
        ],
      }),
    ).toEqual([
      'scheduler.plugins[0].name: "total" is reserved',
      'scheduler.schedulingProfiles[1].name: duplicate profile name "a"',
      "scheduler.plugins[2].type: only one profile handler may be configured (also scheduler.plugins[1])",
      'scheduler.schedulingProfiles: profile handler "single-profile-handler" runs at most 1 profile(s); 2 configured',
    ]);
  });

  test("reports a consumed key that nothing produces and that has no default producer", () => {
    const latencyKey: DataKey<number> = {
      name: "latency-prediction",
      fromSnapshot: false,
      defaultProducer: null,
    };
    const registry = createBuiltinRegistry();
    registry.register("scorer", "alpha", {
      TYPE: "needs-latency-scorer",
      Params: z.strictObject({}),
      create: (name: string): Scorer => ({
        typedName: { type: "needs-latency-scorer", name },
        category: "balance",
        consumes: [latencyKey],
        score: (_r, endpoints, _c, out) => out.fill(1, 0, endpoints.length),
      }),
    });
    expect(
      problemsOf({ plugins: [{ type: "needs-latency-scorer" }], schedulingProfiles: [] }, registry),
    ).toEqual([
      'scheduler.plugins[0].type: "needs-latency-scorer" consumes "latency-prediction", which no configured plugin produces',
    ]);
  });

  test("rejects two producers of the same data key", () => {
    expect(
      problemsOf({
        plugins: [
          { type: "approx-prefix-cache-producer" },
          { type: "approx-prefix-cache-producer", name: "second" },
          { type: "prefix-cache-scorer" },
        ],
        schedulingProfiles: [],
      }),
    ).toEqual([
      'scheduler.plugins[1].type: "second" produces "prefix-match" like "approx-prefix-cache-producer"; one producer per data key',
    ]);
  });

  test("auto-adds the prefix producer, the health filter, a max-score picker and the single handler", () => {
    const result = build({
      plugins: [{ type: "prefix-cache-scorer" }],
      schedulingProfiles: [{ name: "only", plugins: [{ pluginRef: "prefix-cache-scorer", weight: 3 }] }],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const profile = result.plan.profiles.get("only");
    expect(result.plan.producers.map((p) => p.typedName.type)).toEqual(["approx-prefix-cache-producer"]);
    expect(profile?.filters.map((f) => f.typedName.type)).toEqual(["health-filter"]);
    expect(profile?.scorers.map((s) => [s.scorer.typedName.name, s.weight])).toEqual([
      ["prefix-cache-scorer", 3],
    ]);
    expect(profile?.picker.typedName.type).toBe("max-score-picker");
    expect(result.plan.handler.typedName.type).toBe("single-profile-handler");
  });

  test("auto-adds the precise prefix producer when the node runs a prefix index, and keeps a configured one", () => {
    const prefixIndex = { matchLengths: () => new Map(), insertSpeculative: () => {} };
    const registry = createBuiltinRegistry();
    const scorerOnly: PlanConfig = { plugins: [{ type: "prefix-cache-scorer" }], schedulingProfiles: [] };
    const auto = buildPlan(scorerOnly, registry, pluginDeps({ prefixIndex }));
    if (!auto.ok) throw new Error(JSON.stringify(auto.problems));
    expect(auto.plan.producers.map((p) => p.typedName.type)).toEqual(["precise-prefix-cache-producer"]);
    const explicit = buildPlan(
      { plugins: [{ type: "approx-prefix-cache-producer" }, ...scorerOnly.plugins], schedulingProfiles: [] },
      registry,
      pluginDeps({ prefixIndex }),
    );
    if (!explicit.ok) throw new Error(JSON.stringify(explicit.problems));
    expect(explicit.plan.producers.map((p) => p.typedName.type)).toEqual(["approx-prefix-cache-producer"]);
  });

  test("without profiles, a `default` profile holds every filter, scorer (weight 1) and picker in order", () => {
    const result = build({
      plugins: [
        { type: "queue-scorer" },
        { type: "decode-filter" },
        { type: "random-picker" },
        { type: "health-filter" },
      ],
      schedulingProfiles: [],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const profile = result.plan.profiles.get("default");
    expect(profile?.filters.map((f) => f.typedName.type)).toEqual(["decode-filter", "health-filter"]);
    expect(profile?.scorers.map((s) => s.weight)).toEqual([1]);
    expect(profile?.picker.typedName.type).toBe("random-picker");
    expect(result.plan.producers).toEqual([]);
  });
});
