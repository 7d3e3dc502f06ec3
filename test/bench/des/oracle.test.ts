import { describe, expect, test } from "bun:test";
import { simulate } from "../../../src/bench/index.ts";
import { policy, smallWorkload, spyPolicy, tinyEngines } from "./fixtures.ts";

describe("oracle policy", () => {
  test("sends a group to the engine that truly holds its prefix once it is cached", async () => {
    const engines = await tinyEngines();
    const workload = smallWorkload(2, [{ qps: 10, durationS: 6 }]);
    const result = simulate({ workload, engines, engineCount: 4, policy: policy("oracle"), seed: 2 });
    expect(result.records.every((r) => r.error === null)).toBe(true);
    // After a group's first request, the oracle sees the engine holding its 1024-token system prompt.
    const firstOfGroup = new Set<string>();
    let later = 0;
    let laterHits = 0;
    for (const r of result.records) {
      if (!firstOfGroup.has(r.tags.group!)) {
        firstOfGroup.add(r.tags.group!);
        continue;
      }
      later++;
      if (r.cachedTokens >= 1024) laterHits++;
    }
    expect(laterHits / later).toBeGreaterThan(0.9);
  });

  test("reports the cached tokens it expects on the chosen engine", async () => {
    const engines = await tinyEngines();
    const estimates: number[] = [];
    const watched = spyPolicy(policy("oracle"), () => {});
    const recording = {
      ...watched,
      create: (context: Parameters<typeof watched.create>[0]) => {
        const scheduler = watched.create(context);
        return {
          schedule: (...args: Parameters<typeof scheduler.schedule>) => {
            const decision = scheduler.schedule(...args);
            if (decision.ok) estimates.push(decision.cachedTokensEstimate ?? -1);
            return decision;
          },
        };
      },
    };
    simulate({
      workload: smallWorkload(3, [{ qps: 5, durationS: 4 }]),
      engines,
      engineCount: 2,
      policy: recording,
      seed: 3,
    });
    expect(estimates[0]).toBe(0);
    expect(estimates.some((e) => e >= 1024)).toBe(true);
  });
});
