// P/D decisions through the whole scheduler: the disagg handler, its decider under the engine's failure
// rule, and the prefill target on the result.
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import type { SchedulerConfig } from "../../src/config/index.ts";
import { createBuiltinRegistry } from "../../src/scheduler/builtin.ts";
import { createScheduler } from "../../src/scheduler/scheduler.ts";
import { createSeededRng } from "../../src/scheduler/seeded-rng.ts";
import type { PdDecider } from "../../src/scheduler/types.ts";
import { endpoint, NOW_MS, request, schedulerConfig } from "./builders.ts";

const POOL = [
  endpoint("p1", { role: "prefill", metrics: { waitingRequests: 3 } }),
  endpoint("p2", { role: "prefill" }),
  endpoint("d1", { role: "decode" }),
  endpoint("d2", { role: "decode", metrics: { waitingRequests: 5 } }),
];

function pdConfig(decider: Record<string, unknown>): SchedulerConfig {
  return schedulerConfig({
    plugins: [
      { type: "decode-filter" },
      { type: "prefill-filter" },
      { type: "queue-scorer" },
      { name: "decider", ...decider } as SchedulerConfig["plugins"][number],
      { type: "disagg-profile-handler", parameters: { deciders: { prefill: "decider" } } },
    ],
    schedulingProfiles: [
      { name: "decode", plugins: [{ pluginRef: "decode-filter" }, { pluginRef: "queue-scorer" }] },
      { name: "prefill", plugins: [{ pluginRef: "prefill-filter" }, { pluginRef: "queue-scorer" }] },
    ],
  });
}

function build(config: SchedulerConfig, registry = createBuiltinRegistry()) {
  const created = createScheduler(config, { rng: createSeededRng(1), now: () => NOW_MS, registry });
  if (!created.ok) throw new Error(JSON.stringify(created.problems));
  return created.scheduler;
}

describe("P/D decisions", () => {
  test("prefill-decode: decode endpoint primary, prefill endpoint and its explanation attached", () => {
    const result = build(pdConfig({ type: "always-disagg-pd-decider" })).schedule(request(), POOL);
    if (!result.ok) throw new Error(result.message);
    expect(result.endpoint.descriptor.id).toBe("d1");
    expect(result.pdDecision).toBe("prefill-decode");
    expect(result.prefill?.endpoint.descriptor.id).toBe("p2");
    expect(result.prefill?.cachedTokensEstimate).toBe(0);
    expect(result.explanation).toMatchObject({ profile: "decode", winner: "d1" });
    expect(result.explanation.prefill).toMatchObject({ profile: "prefill", winner: "p2" });
    expect(JSON.parse(JSON.stringify(result.explanation)).prefill.winner).toBe("p2");
  });

  test("decode-only when the decider says no", () => {
    const result = build(pdConfig({ type: "never-disagg-pd-decider" })).schedule(request(), POOL);
    expect(result.ok && result.pdDecision).toBe("decode-only");
    expect(result.ok && result.prefill).toBeUndefined();
    expect(result.ok && result.endpoint.descriptor.id).toBe("d1");
  });

  test("decode-only when the prefill profile finds no endpoint", () => {
    const decoders = POOL.filter((e) => e.descriptor.role === "decode");
    const result = build(pdConfig({ type: "always-disagg-pd-decider" })).schedule(request(), decoders);
    expect(result.ok && result.pdDecision).toBe("decode-only");
  });

  test("no decode endpoint fails the decision, whatever the prefill profile could do", () => {
    const prefillers = POOL.filter((e) => e.descriptor.role === "prefill");
    const result = build(pdConfig({ type: "always-disagg-pd-decider" })).schedule(request(), prefillers);
    expect(result.ok).toBe(false);
  });

  test("a decider that throws answers no, is counted and named in the explanation", () => {
    const registry = createBuiltinRegistry();
    registry.register("decider", "alpha", {
      TYPE: "throwing-pd-decider",
      Params: z.strictObject({}),
      create: (name: string) =>
        ({
          typedName: { type: "throwing-pd-decider", name },
          consumes: [],
          disaggregate() {
            throw new Error("boom");
          },
        }) satisfies PdDecider,
    });
    const scheduler = build(pdConfig({ type: "throwing-pd-decider" }), registry);
    const result = scheduler.schedule(request(), POOL);
    expect(result.ok && result.pdDecision).toBe("decode-only");
    expect(result.ok && result.explanation.failedPlugins).toEqual(["decider"]);
    expect(scheduler.pluginFailures().get("decider")).toEqual({ count: 1, lastMessage: "boom" });
    expect(Object.keys(result.ok ? (result.explanation.timingsUs ?? {}) : {})).toContain("decider");
  });

  test("the prefix-based decider gets the prefix producer it consumes and skips a prompt the decode engine holds", () => {
    const scheduler = build(
      pdConfig({ type: "prefix-based-pd-decider", parameters: { nonCachedTokens: 100 } }),
    );
    const long = request({ prompt: "x".repeat(4000) }); // 1000 tokens
    const first = scheduler.schedule(long, POOL);
    expect(first.ok && first.pdDecision).toBe("prefill-decode");
    scheduler.onPicked(long, "d1");
    const again = scheduler.schedule(request({ prompt: "x".repeat(4000) }), POOL);
    expect(again.ok && again.endpoint.descriptor.id).toBe("d1");
    expect(again.ok && again.pdDecision).toBe("decode-only");
    const short = scheduler.schedule(request({ prompt: "y".repeat(200) }), POOL);
    expect(short.ok && short.pdDecision).toBe("decode-only");
  });

  test("a single-profile scheduler sets no P/D fields", () => {
    const result = build(schedulerConfig()).schedule(request(), POOL);
    expect(result.ok && "pdDecision" in result).toBe(false);
  });
});
