import { describe, expect, test } from "bun:test";
import { BenchError, DEFAULT_SLO, simulate, summarizeStages } from "../../../src/bench/index.ts";
import { desPredictorFactory } from "../../../src/cli/bench-predictor.ts";
import { ConfigSchema } from "../../../src/config/index.ts";
import { policy, smallWorkload, spyPolicy, tinyEngines } from "./fixtures.ts";

describe("discrete-event simulation with a latency predictor", () => {
  const predictorConfig = ConfigSchema.parse({
    predictor: { min_samples_for_training: 20, retrain_interval_ms: 500 },
  }).predictor;

  test("a policy routing on predictions trains one online from its own requests, replayably", async () => {
    const engines = await tinyEngines();
    const run = () =>
      simulate({
        workload: smallWorkload(2),
        engines,
        engineCount: 3,
        policy: policy("slo-aware"),
        seed: 2,
        latencyPredictor: desPredictorFactory(predictorConfig),
      });
    const a = run();
    const ok = a.records.filter((r) => r.error === null && r.firstTokenMs !== null);
    expect(a.predictor?.heldBack?.samplesObserved).toBe(ok.length);
    expect(a.predictor?.heldBack?.trainings).toBeGreaterThan(1);
    expect(a.predictor?.prospective.ttft.requests).toBeGreaterThan(0);
    expect(JSON.stringify(run())).toBe(JSON.stringify(a));
    const plain = simulate({
      workload: smallWorkload(2),
      engines,
      engineCount: 3,
      policy: policy("random"),
      seed: 2,
    });
    expect(plain.predictor).toBeNull();
  });

  test("a policy routing on predictions needs a predictor factory", async () => {
    const engines = await tinyEngines();
    expect(() =>
      simulate({ workload: smallWorkload(2), engines, engineCount: 2, policy: policy("slo-aware"), seed: 1 }),
    ).toThrow(BenchError);
  });
});

describe("discrete-event simulation", () => {
  test("replays identically for a seed, with the plugin scheduler deciding", async () => {
    const engines = await tinyEngines();
    const run = () =>
      simulate({
        workload: smallWorkload(3),
        engines,
        engineCount: 4,
        policy: policy("llm-d-default"),
        seed: 3,
      });
    const a = run();
    const b = run();
    expect(a.records.length).toBe(smallWorkload(3).requests.length);
    expect(a.records.every((r) => r.error === null && r.completionTokens === 24)).toBe(true);
    expect(JSON.stringify(a.records)).toBe(JSON.stringify(b.records));
    expect(a.virtualMs).toBe(b.virtualMs);
    const c = simulate({
      workload: smallWorkload(4),
      engines,
      engineCount: 4,
      policy: policy("llm-d-default"),
      seed: 4,
    });
    expect(JSON.stringify(c.records)).not.toBe(JSON.stringify(a.records));
  });

  test("every arrival is one decision over snapshots no older than the scrape interval", async () => {
    const engines = await tinyEngines();
    const workload = smallWorkload(5);
    const ages: number[] = [];
    let decisions = 0;
    let nowMs = 0;
    const watched = spyPolicy(policy("round-robin"), (_request, candidates) => {
      decisions++;
      expect(candidates).toHaveLength(3);
      for (const c of candidates) ages.push(nowMs - c.metrics!.scrapedAtMs);
    });
    const clocked = {
      ...watched,
      create: (context: Parameters<typeof watched.create>[0]) => {
        const scheduler = watched.create(context);
        return {
          ...scheduler,
          schedule: (
            request: Parameters<typeof scheduler.schedule>[0],
            candidates: Parameters<typeof scheduler.schedule>[1],
          ) => {
            nowMs = context.now();
            return scheduler.schedule(request, candidates);
          },
        };
      },
    };
    const result = simulate({
      workload,
      engines,
      engineCount: 3,
      policy: clocked,
      seed: 1,
      scrapeIntervalMs: 50,
    });
    expect(decisions).toBe(workload.requests.length);
    expect(result.decisions).toBe(workload.requests.length);
    expect(Math.max(...ages)).toBeLessThan(50);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
  });

  test("in-flight load counts a request's prompt until its first token, its output until it ends", async () => {
    const engines = await tinyEngines();
    // Two arrivals 1 ms apart: the second decision sees the first still prefilling on engine-0.
    const workload = smallWorkload(1, [{ qps: 1000, durationS: 0.002 }], "constant");
    const seen: { requests: number; prefillTokens: number; decodeTokens: number }[] = [];
    const watched = spyPolicy(policy("round-robin"), (_request, candidates) =>
      seen.push({ ...candidates[0]!.inFlight }),
    );
    simulate({ workload, engines, engineCount: 2, policy: watched, seed: 1 });
    expect(seen[0]).toEqual({ requests: 0, prefillTokens: 0, decodeTokens: 0 });
    expect(seen[1]).toEqual({ requests: 1, prefillTokens: 1152, decodeTokens: 24 });
  });

  test("a concurrency cap holds arrivals back and the wait counts in their latency", async () => {
    const engines = await tinyEngines();
    const result = simulate({
      workload: smallWorkload(2),
      engines,
      engineCount: 2,
      policy: policy("round-robin"),
      seed: 1,
      maxConcurrency: 1,
    });
    for (let i = 1; i < result.records.length; i++) {
      expect(result.records[i]!.sentMs).toBeGreaterThanOrEqual(result.records[i - 1]!.endMs);
      expect(result.records[i]!.sentMs).toBeGreaterThanOrEqual(result.records[i]!.arrivalMs);
    }
  });

  test("draining stages: the next stage starts after the last request of the previous one", async () => {
    const engines = await tinyEngines();
    const workload = smallWorkload(1, [
      { qps: 50, durationS: 1 },
      { qps: 50, durationS: 1 },
    ]);
    const result = simulate({ workload, engines, engineCount: 2, policy: policy("random"), seed: 1 });
    const lastEnd = Math.max(...result.records.filter((r) => r.stage === 0).map((r) => r.endMs));
    expect(result.stageStartMs.get(1)).toBeGreaterThanOrEqual(Math.max(lastEnd, 1000));
  });

  test("prefix-aware routing keeps a group's prompts together; round-robin spreads them", async () => {
    const engines = await tinyEngines();
    const workload = smallWorkload(7, [{ qps: 20, durationS: 6 }]);
    const spread = (name: string) => {
      const result = simulate({ workload, engines, engineCount: 4, policy: policy(name), seed: 7 });
      const summary = summarizeStages(workload.stages, result.records, {
        slo: DEFAULT_SLO,
        itlByStage: result.itlByStage,
        stageStartMs: result.stageStartMs,
      })[0]!;
      const groups = new Map<string, Set<string>>();
      for (const r of result.records)
        groups.set(r.tags.group!, (groups.get(r.tags.group!) ?? new Set()).add(r.endpoint));
      const endpointsPerGroup = [...groups.values()].reduce((a, s) => a + s.size, 0) / groups.size;
      return { endpointsPerGroup, hitRate: summary.cacheHitRate };
    };
    const prefix = spread("llm-d-default");
    const roundRobin = spread("round-robin");
    expect(prefix.endpointsPerGroup).toBeLessThan(roundRobin.endpointsPerGroup);
    expect(prefix.hitRate).toBeGreaterThan(roundRobin.hitRate);
  });
});
