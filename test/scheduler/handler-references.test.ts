// Names in a profile handler's parameters (profiles, decider plugins) are resolved when the config loads.
import { describe, expect, test } from "bun:test";
import type { SchedulerConfig } from "../../src/config/index.ts";
import { createScheduler } from "../../src/scheduler/scheduler.ts";
import { createSeededRng } from "../../src/scheduler/seeded-rng.ts";
import { NOW_MS, schedulerConfig } from "./builders.ts";

function pdConfig(deciderName: string): SchedulerConfig {
  return schedulerConfig({
    plugins: [
      { type: "decode-filter" },
      { type: "prefill-filter" },
      { type: "queue-scorer" },
      { name: "decider", type: "always-disagg-pd-decider" },
      { type: "disagg-profile-handler", parameters: { deciders: { prefill: deciderName } } },
    ],
    schedulingProfiles: [
      { name: "decode", plugins: [{ pluginRef: "decode-filter" }, { pluginRef: "queue-scorer" }] },
      { name: "prefill", plugins: [{ pluginRef: "prefill-filter" }, { pluginRef: "queue-scorer" }] },
    ],
  });
}

function problems(config: SchedulerConfig) {
  const created = createScheduler(config, { rng: createSeededRng(1), now: () => NOW_MS });
  return created.ok ? [] : created.problems;
}

describe("profile handler references", () => {
  test("a declared decider resolves", () => {
    expect(problems(pdConfig("decider"))).toEqual([]);
  });

  test("a decider name that is not declared, or not a decider, fails with its parameter path", () => {
    expect(problems(pdConfig("nope"))).toEqual([
      {
        path: "scheduler.plugins[4].parameters.deciders.prefill",
        message: 'no plugin named "nope" in scheduler.plugins',
      },
    ]);
    expect(problems(pdConfig("queue-scorer"))).toEqual([
      {
        path: "scheduler.plugins[4].parameters.deciders.prefill",
        message: '"queue-scorer" is a scorer; a decider is needed here',
      },
    ]);
  });

  test("a profile name that no schedulingProfile has fails", () => {
    const config = pdConfig("decider");
    const renamed = {
      ...config,
      schedulingProfiles: config.schedulingProfiles.map((p) =>
        p.name === "prefill" ? { ...p, name: "pf" } : p,
      ),
    };
    expect(problems(renamed)).toEqual([
      {
        path: "scheduler.plugins[4].parameters.profiles.prefill",
        message: 'no scheduling profile named "prefill"',
      },
    ]);
  });

  test("a decider listed in a profile is rejected like any non-profile plugin", () => {
    const config = pdConfig("decider");
    const misplaced = {
      ...config,
      schedulingProfiles: [
        { name: "decode", plugins: [{ pluginRef: "decode-filter" }, { pluginRef: "decider" }] },
        ...config.schedulingProfiles.slice(1),
      ],
    };
    expect(problems(misplaced)).toEqual([
      {
        path: "scheduler.schedulingProfiles[0].plugins[1].pluginRef",
        message: '"decider" is a decider; profiles list filters, scorers and a picker',
      },
    ]);
  });
});
