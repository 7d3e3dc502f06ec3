// The DES against real time: the same workload, seed and engine profile, round-robin over two `llmux
// sim` processes driven by the load generator, and over two simulated engines in virtual time.
// The h100-qwen3-32b-tp2 profile is used rather than tiny-cpu: tiny-cpu's modelled TTFT (~2 ms) is
// below a sim process's own HTTP/JSON/hashing cost (6-9 ms measured), so agreement would measure the
// HTTP stack, not the engine model; with 32B steps (15-250 ms) that cost is a few percent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  buildWorkload,
  DEFAULT_SLO,
  resolveEngines,
  resolvePolicies,
  runLoad,
  type StageSummary,
  simulate,
  summarizeStages,
  type Workload,
} from "../../../src/bench/index.ts";
import { waitForQuietCpu } from "../harness/quiet-cpu.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

const PROFILE = "h100-qwen3-32b-tp2";
const SEED = 11;
const TOLERANCE = 0.15;

function moderateWorkload(): Workload {
  return buildWorkload({
    name: "shared-prefix",
    params: {
      groups: 4,
      promptsPerGroup: 16,
      systemPromptTokens: 1536,
      questionTokens: 2500,
      outputTokens: 48,
    },
    stages: [
      // Warm-up: the sim processes' JIT settles before anything is measured.
      { qps: 3, durationS: 3, isWarmup: true },
      { qps: 4, durationS: 12 },
    ],
    arrival: "poisson",
    seed: SEED,
  });
}

function measured(
  workload: Workload,
  result: Parameters<typeof summarizeStages>[1],
  options: Parameters<typeof summarizeStages>[2],
): StageSummary {
  return summarizeStages(workload.stages, result, options)[1]!;
}

describe("DES and real time agree", () => {
  let sims: SimProcess[] = [];
  beforeAll(async () => {
    const flags = ["--sim-profile", PROFILE, "--sim-startup-delay", "0", "--enable-prompt-tokens-details"];
    sims = await Promise.all([startSim(flags), startSim(flags)]);
  });
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
  });

  test("on mean TTFT and throughput within 15 % at a moderate load", async () => {
    const workload = moderateWorkload();
    // The real-time half needs the CPU the sims are modelled to have, not what earlier tests leave.
    console.log(`consistency: idle CPU before the real-time run ${(await waitForQuietCpu()).toFixed(2)}`);
    const real = await runLoad({
      workload,
      urls: sims.map((s) => s.url),
      model: "e2e-model",
      api: "completions",
    });
    const engines = await resolveEngines({ profile: PROFILE }, SEED);
    const des = simulate({
      workload,
      engines,
      engineCount: 2,
      policy: resolvePolicies(["round-robin"]).policies[0]!,
      seed: SEED,
    });
    const realStage = measured(workload, real.records, {
      slo: DEFAULT_SLO,
      itlByStage: real.itlByStage,
      stageStartMs: real.stageStartMs,
    });
    const desStage = measured(workload, des.records, {
      slo: DEFAULT_SLO,
      itlByStage: des.itlByStage,
      stageStartMs: des.stageStartMs,
    });
    const figures = {
      requests: [realStage.completed, desStage.completed],
      meanTtftMs: [realStage.ttftMs.mean, desStage.ttftMs.mean],
      outputTokensPerS: [realStage.outputTokensPerS, desStage.outputTokensPerS],
      meanTpotMs: [realStage.tpotMs.mean, desStage.tpotMs.mean],
      cacheHitRate: [realStage.cacheHitRate, desStage.cacheHitRate],
    };
    console.log(`consistency (real, DES): ${JSON.stringify(figures)}`);
    expect(realStage.failed).toBe(0);
    expect(realStage.completed).toBe(desStage.completed);
    expect(Math.abs(realStage.ttftMs.mean / desStage.ttftMs.mean - 1)).toBeLessThan(TOLERANCE);
    expect(Math.abs(realStage.outputTokensPerS / desStage.outputTokensPerS - 1)).toBeLessThan(TOLERANCE);
    // Same arrivals in the same order on the same engines: the same prompts hit the same caches.
    expect(Math.abs(realStage.cacheHitRate - desStage.cacheHitRate)).toBeLessThan(0.02);
  }, 120_000);
});
