import { describe, expect, test } from "bun:test";
import { BenchError, buildWorkload, workloadNames, workloadsHelp } from "../../../src/bench/index.ts";

const stages = [{ qps: 20, durationS: 5 }];

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

describe("workload registry", () => {
  test.each(workloadNames().filter((n) => n !== "mooncake"))("%s is deterministic for a seed", (name) => {
    const a = buildWorkload({ name, params: {}, stages, arrival: "poisson", seed: 4 });
    const b = buildWorkload({ name, params: {}, stages, arrival: "poisson", seed: 4 });
    expect(a.requests.length).toBeGreaterThan(50);
    const shape = (w: typeof a) =>
      w.requests
        .slice(0, 30)
        .map((r) => [r.offsetMs, r.promptTokens, r.maxTokens, r.promptTokenIds().join()]);
    expect(shape(a)).toEqual(shape(b));
    for (const r of a.requests.slice(0, 30)) expect(r.promptTokenIds()).toHaveLength(r.promptTokens);
  });

  test("unknown workloads and bad parameters are refused with every problem listed", () => {
    expect(() => buildWorkload({ name: "nope", params: {}, arrival: "poisson", seed: 1 })).toThrow(
      /unknown workload: "nope"/,
    );
    try {
      buildWorkload({
        name: "shared-prefix",
        params: { groups: "0", colour: "red" },
        arrival: "poisson",
        seed: 1,
      });
      throw new Error("expected a BenchError");
    } catch (error) {
      expect(error).toBeInstanceOf(BenchError);
      expect((error as BenchError).code).toBe("bench_invalid_workload_params");
      expect((error as Error).message).toContain("groups");
      expect((error as Error).message).toContain('"colour"');
    }
  });

  test("string parameters from the command line are coerced", () => {
    const w = buildWorkload({
      name: "prefill-heavy",
      params: { inputTokens: "1000", inputSpread: "0" },
      stages,
      arrival: "poisson",
      seed: 1,
    });
    expect(new Set(w.requests.map((r) => r.promptTokens))).toEqual(new Set([1000]));
  });

  test("prefill-heavy is about 10:1 input:output and decode-heavy the other way", () => {
    const ratio = (name: string) => {
      const w = buildWorkload({ name, params: {}, stages, arrival: "poisson", seed: 2 });
      const input = w.requests.reduce((a, r) => a + r.promptTokens, 0);
      const output = w.requests.reduce((a, r) => a + r.maxTokens, 0);
      return input / output;
    };
    expect(ratio("prefill-heavy")).toBeGreaterThan(8);
    expect(ratio("prefill-heavy")).toBeLessThan(12);
    expect(ratio("decode-heavy")).toBeLessThan(0.5);
  });

  test("multi-turn chat: each turn's prompt extends the session's previous turn", () => {
    const params = { sessions: 3, turns: 4, systemPromptTokens: 64, userTokens: 20, outputTokens: 10 };
    const w = buildWorkload({
      name: "multi-turn-chat",
      params,
      stages: [{ qps: 100, durationS: 0.2 }],
      arrival: "constant",
      seed: 1,
    });
    const bySession = new Map<string, number[][]>();
    for (const r of w.requests)
      bySession.set(r.tags.session!, [...(bySession.get(r.tags.session!) ?? []), [...r.promptTokenIds()]]);
    const turns = bySession.get("s0")!;
    expect(turns.map((t) => t.length)).toEqual([84, 114, 144, 174]);
    for (let t = 1; t < turns.length; t++)
      expect(commonPrefix(turns[t - 1]!, turns[t]!)).toBe(turns[t - 1]!.length);
    // Sessions share the system prompt only.
    expect(commonPrefix(bySession.get("s0")![0]!, bySession.get("s1")![0]!)).toBe(64);
  });

  test("long-document QA: questions about one document share exactly the document", () => {
    const params = { documents: 2, documentTokens: 500, questionTokens: 20, outputTokens: 5 };
    const w = buildWorkload({ name: "long-document-qa", params, stages, arrival: "poisson", seed: 1 });
    const doc0 = w.requests.filter((r) => r.tags.group === "doc0").map((r) => r.promptTokenIds());
    expect(doc0.length).toBeGreaterThan(2);
    expect(commonPrefix(doc0[0]!, doc0[1]!)).toBe(500);
  });

  test("mixed tenants: skewed tenants, each with its own prompt and priority class", () => {
    const w = buildWorkload({
      name: "mixed-tenants",
      params: { tenants: 3, priorities: "0,5" },
      stages: [{ qps: 100, durationS: 5 }],
      arrival: "poisson",
      seed: 1,
    });
    const count = (t: string) => w.requests.filter((r) => r.tags.tenant === t).length;
    expect(count("tenant-0")).toBeGreaterThan(count("tenant-2"));
    expect(
      new Set(w.requests.filter((r) => r.tags.tenant === "tenant-1").map((r) => r.tags.priority)),
    ).toEqual(new Set([5]));
    const t0 = w.requests.filter((r) => r.tags.tenant === "tenant-0").map((r) => r.promptTokenIds());
    expect(commonPrefix(t0[0]!, t0[1]!)).toBe(2000);
  });

  test("mixed tenants: SLOs by priority class become request tags; none by default", () => {
    const build = (params: Record<string, string>) =>
      buildWorkload({
        name: "mixed-tenants",
        params: { tenants: 2, priorities: "0,1", ...params },
        stages: [{ qps: 50, durationS: 2 }],
        arrival: "poisson",
        seed: 1,
      });
    const w = build({ sloTtftMs: "500,4000", sloTpotMs: "40" });
    for (const r of w.requests) {
      expect(r.tags.sloTtftMs).toBe(r.tags.priority === 0 ? 500 : 4000);
      expect(r.tags.sloTpotMs).toBe(40);
    }
    expect(build({}).requests.every((r) => r.tags.sloTtftMs === undefined)).toBe(true);
    expect(() => build({ sloTtftMs: "0" })).toThrow(/sloTtftMs/);
    expect(() => build({ sloTtftMs: "fast" })).toThrow(/sloTtftMs/);
  });

  test("help lists every workload with its parameters and defaults", () => {
    const help = workloadsHelp();
    for (const name of workloadNames()) expect(help).toContain(`  ${name}: `);
    expect(help).toContain("systemPromptTokens=6000");
    expect(help).toContain("ladder: w15:50,3:20");
  });
});
