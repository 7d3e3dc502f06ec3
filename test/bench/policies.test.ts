import { describe, expect, test } from "bun:test";
import { BenchError, POLICY_NAMES, resolvePolicies } from "../../src/bench/index.ts";
import type { SchedulerConfig } from "../../src/config/index.ts";
import { endpoint, request } from "../scheduler/builders.ts";

describe("scheduling policies", () => {
  test("every named policy resolves, or is skipped with a reason", () => {
    const { policies, skipped } = resolvePolicies(POLICY_NAMES);
    expect([...policies.map((p) => p.name), ...skipped.map((s) => s.name)].sort()).toEqual(
      [...POLICY_NAMES].sort(),
    );
    for (const s of skipped) expect(s.reason.length).toBeGreaterThan(10);
    expect(policies.find((p) => p.name === "oracle")?.needsOracle).toBe(true);
  });

  test("plugin policies build the production scheduler; the oracle needs a simulation", () => {
    const { policies } = resolvePolicies(["llm-d-default", "oracle"]);
    const scheduler = policies[0]!.create({ rng: () => 0.5, now: () => 0, oracle: null });
    expect(typeof scheduler.onPicked).toBe("function");
    expect(() => policies[1]!.create({ rng: () => 0.5, now: () => 0, oracle: null })).toThrow(BenchError);
  });

  test("llm-d-default keeps llm-d's 3/2/2; llmux-default without a config runs the built-in default", () => {
    const { policies } = resolvePolicies(["llm-d-default", "llmux-default"]);
    const [llmD, llmux] = policies.map((p) => p.create({ rng: () => 0.5, now: () => 0, oracle: null }));
    const scorersOf = (scheduler: typeof llmD) => {
      const result = scheduler!.schedule(request({ prompt: "hello" }), [endpoint("e")]);
      return result.ok ? Object.keys(result.explanation.scores.e ?? {}) : [];
    };
    expect(scorersOf(llmD)).toEqual([
      "prefix-cache-scorer",
      "queue-scorer",
      "kv-cache-utilization-scorer",
      "total",
    ]);
    expect(scorersOf(llmux)).toEqual([
      "prefix-cache-scorer",
      "queue-scorer",
      "kv-cache-utilization-scorer",
      "no-hit-lru-scorer",
      "active-request-scorer",
      "total",
    ]);
    expect(policies[1]?.description).toBe(
      "the scheduler llmux runs with no scheduler config: prefix-cache-scorer 3, queue-scorer 2, " +
        "kv-cache-utilization-scorer 2, no-hit-lru-scorer 2, active-request-scorer 2 (maxBusyScore: 0)",
    );
  });

  test("unknown names and invalid custom configs are refused", () => {
    expect(() => resolvePolicies(["fastest"])).toThrow(/unknown scheduling policy/);
    const bad = {
      plugins: [{ type: "no-such-scorer" }],
      schedulingProfiles: [],
      metricsIntervalMs: 100,
      metricsStalenessMs: 2000,
    } as SchedulerConfig;
    expect(() => resolvePolicies(["mine"], { custom: { mine: bad } })).toThrow(
      /mine: scheduler.plugins\[0\].type/,
    );
  });

  test("policies whose plugins read latency predictions ask the run for a predictor", () => {
    const { policies } = resolvePolicies(["slo-aware", "slo-aware-spread", "llmux-default"]);
    expect(policies.map((p) => p.needsPredictor)).toEqual([true, true, false]);
  });
});
