import { describe, expect, test } from "bun:test";
import { buildWorkload } from "../../../src/bench/index.ts";

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

const small = {
  groups: 6,
  promptsPerGroup: 4,
  systemPromptTokens: 300,
  questionTokens: 50,
  outputTokens: 20,
};
const stages = [{ qps: 50, durationS: 4 }];

describe("shared-prefix workload", () => {
  test("prompts of one group share exactly the system prompt; other groups share no block", () => {
    const workload = buildWorkload({
      name: "shared-prefix",
      params: small,
      stages,
      arrival: "poisson",
      seed: 3,
    });
    const byGroup = new Map<string, readonly number[][]>();
    for (const r of workload.requests) {
      const list = (byGroup.get(r.tags.group!) ?? []) as number[][];
      list.push([...r.promptTokenIds()]);
      byGroup.set(r.tags.group!, list);
    }
    expect(byGroup.size).toBe(6);
    const groups = [...byGroup.values()];
    for (const prompts of groups) {
      for (const a of prompts) {
        expect(a.length).toBe(350);
        for (const b of prompts) {
          if (a !== b && a.join() !== b.join()) expect(commonPrefix(a, b)).toBe(300);
        }
      }
    }
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++)
        expect(commonPrefix(groups[i]![0]!, groups[j]![0]!)).toBeLessThan(16);
    }
  });

  test("the same seed gives the same arrivals and prompts; another seed does not", () => {
    const build = (seed: number) =>
      buildWorkload({ name: "shared-prefix", params: small, stages, arrival: "poisson", seed });
    const a = build(11);
    const b = build(11);
    const c = build(12);
    expect(a.requests.map((r) => r.offsetMs)).toEqual(b.requests.map((r) => r.offsetMs));
    expect(a.requests.map((r) => r.promptTokenIds().join())).toEqual(
      b.requests.map((r) => r.promptTokenIds().join()),
    );
    expect(c.requests.map((r) => r.offsetMs)).not.toEqual(a.requests.map((r) => r.offsetMs));
  });

  test("one pass over the arrivals visits every prompt before any repeats", () => {
    const workload = buildWorkload({
      name: "shared-prefix",
      params: small,
      stages: [{ qps: 1000, durationS: 1 }],
      arrival: "constant",
      seed: 5,
    });
    const firstPass = workload.requests.slice(0, 24).map((r) => r.promptTokenIds().join());
    expect(new Set(firstPass).size).toBe(24);
    expect(workload.requests[24]!.promptTokenIds().join()).toBe(firstPass[0]!);
  });

  test("defaults to llm-d's published parameters and ladder", () => {
    const workload = buildWorkload({ name: "shared-prefix", params: {}, arrival: "constant", seed: 1 });
    expect(workload.params).toMatchObject({
      groups: 150,
      promptsPerGroup: 5,
      systemPromptTokens: 6000,
      questionTokens: 1200,
      outputTokens: 1000,
    });
    expect(workload.stages[0]).toEqual({ index: 0, qps: 15, durationMs: 50_000, isWarmup: true });
    expect(workload.stages.filter((s) => !s.isWarmup).map((s) => s.qps)).toEqual([
      3, 10, 15, 20, 22, 25, 30, 35, 40, 43, 46, 49, 52, 55, 57, 60,
    ]);
    // Constant arrivals: rate × duration requests per stage (warm-up = one pass over 750 prompts).
    expect(workload.requests.filter((r) => r.stage === 0)).toHaveLength(750);
    expect(workload.requests[0]!.promptTokens).toBe(7200);
    expect(workload.requests[0]!.maxTokens).toBe(1000);
  });
});
