// Continuous batching as vLLM v1 schedules it: token budget and chunked prefill, max_num_seqs,
// FCFS vs priority admission, and recompute preemption under KV pressure.
import { describe, expect, test } from "bun:test";
import type { BlockRemovedEvent } from "../../../src/kvcache/events/types.ts";
import { createSimEngine } from "../../../src/sim/engine/engine.ts";
import type { Recorder } from "./engine-fixture.ts";
import { addOk, engineOptions, runUntilIdle, simRequest, tokenRange } from "./engine-fixture.ts";

function finishOrder(recorders: Record<string, Recorder>): string[] {
  return Object.entries(recorders)
    .sort(([, a], [, b]) => (a.finishMs ?? 0) - (b.finishMs ?? 0))
    .map(([id]) => id);
}

describe("token budget and chunked prefill", () => {
  test("chunks prefills to the remaining budget, running requests first", () => {
    const engine = createSimEngine(engineOptions({ maxNumBatchedTokens: 64 }));
    addOk(engine, simRequest("a", tokenRange(1, 100), { maxTokens: 3 }));
    addOk(engine, simRequest("b", tokenRange(500, 50), { maxTokens: 3 }));
    const { steps } = runUntilIdle(engine);
    // 1: a 64 | 2: a 36 + b 28 | 3: a decode + b 22 | 4-5: both decode.
    expect(steps.map((step) => step.scheduledTokens)).toEqual([64, 64, 23, 2, 1]);
  });

  test("never schedules more than max_num_batched_tokens in a step", () => {
    const engine = createSimEngine(engineOptions({ maxNumBatchedTokens: 100 }));
    for (let i = 0; i < 20; i++)
      addOk(engine, simRequest(`r${i}`, tokenRange(i * 1000, 37 + i * 5), { maxTokens: 5 }));
    const { steps } = runUntilIdle(engine);
    expect(Math.max(...steps.map((step) => step.scheduledTokens))).toBeLessThanOrEqual(100);
    expect(steps.reduce((sum, step) => sum + step.scheduledTokens, 0)).toBe(
      Array.from({ length: 20 }, (_, i) => 37 + i * 5 + 4).reduce((sum, n) => sum + n, 0),
    );
  });

  test("a prefill step costs more than a decode step of the same batch", () => {
    const engine = createSimEngine(engineOptions());
    addOk(engine, simRequest("a", tokenRange(1, 2000), { maxTokens: 2 }));
    const { steps } = runUntilIdle(engine);
    expect(steps[0]!.durationMs).toBeGreaterThan(steps[1]!.durationMs);
  });
});

describe("max_num_seqs", () => {
  test("admits at most max_num_seqs running requests; the rest wait for capacity", () => {
    const engine = createSimEngine(engineOptions({ maxNumSeqs: 2 }));
    const recorders = ["a", "b", "c", "d", "e"].map((id) => addOk(engine, simRequest(id, tokenRange(1, 20))));
    let nowMs = 0;
    let maxRunning = 0;
    for (let step = engine.planStep(nowMs); step !== null; step = engine.planStep(nowMs)) {
      const stats = engine.stats();
      maxRunning = Math.max(maxRunning, stats.running);
      expect(stats.running + stats.waitingCapacity).toBe(recorders.filter((r) => r.result === null).length);
      engine.completeStep(step);
      nowMs = step.startMs + step.durationMs;
    }
    expect(maxRunning).toBe(2);
    expect(recorders.every((recorder) => recorder.result?.completionTokens === 4)).toBe(true);
  });
});

describe("scheduling policy", () => {
  const priorities: Record<string, number> = { low: 5, high: 1, mid: 3 };

  function runOneAtATime(policy: "fcfs" | "priority"): string[] {
    const engine = createSimEngine(engineOptions({ maxNumSeqs: 1, schedulingPolicy: policy }));
    const recorders: Record<string, Recorder> = {};
    for (const [id, priority] of Object.entries(priorities)) {
      recorders[id] = addOk(engine, simRequest(id, tokenRange(1, 20), { priority }));
    }
    runUntilIdle(engine);
    return finishOrder(recorders);
  }

  test("fcfs serves in arrival order", () => {
    expect(runOneAtATime("fcfs")).toEqual(["low", "high", "mid"]);
  });

  test("priority serves lower priority values first", () => {
    expect(runOneAtATime("priority")).toEqual(["high", "mid", "low"]);
  });

  test("priority preemption evicts the lowest-priority running request, not the latest", () => {
    // 12 usable blocks; each request peaks at 4 + 100 tokens = 7 blocks.
    const engine = createSimEngine(engineOptions({ numGpuBlocks: 13, schedulingPolicy: "priority" }));
    const low = addOk(engine, simRequest("low", tokenRange(1, 4), { maxTokens: 100, priority: 9 }));
    const first = engine.planStep(0)!;
    engine.completeStep(first);
    const high = addOk(engine, simRequest("high", tokenRange(100, 4), { maxTokens: 100, priority: 0 }));
    runUntilIdle(engine, first.durationMs);
    expect(engine.stats().preemptions).toBeGreaterThan(0);
    expect(high.finishMs!).toBeLessThan(low.finishMs!);
    expect(low.result?.completionTokens).toBe(100);
  });

  test("fcfs preemption evicts the latest admitted request", () => {
    const engine = createSimEngine(engineOptions({ numGpuBlocks: 13 }));
    const early = addOk(engine, simRequest("early", tokenRange(1, 4), { maxTokens: 100, priority: 9 }));
    const first = engine.planStep(0)!;
    engine.completeStep(first);
    const late = addOk(engine, simRequest("late", tokenRange(100, 4), { maxTokens: 100, priority: 0 }));
    runUntilIdle(engine, first.durationMs);
    expect(engine.stats().preemptions).toBeGreaterThan(0);
    expect(early.finishMs!).toBeLessThan(late.finishMs!);
  });
});

describe("KV pressure", () => {
  function workload(numGpuBlocks: number) {
    const engine = createSimEngine(engineOptions({ numGpuBlocks }));
    const recorders = Array.from({ length: 6 }, (_, i) =>
      addOk(engine, simRequest(`r${i}`, tokenRange(i * 1000, 60), { maxTokens: 40 })),
    );
    return { engine, recorders, run: runUntilIdle(engine) };
  }

  test("preempts when blocks run out, and every request still finishes with its full length", () => {
    // 16 usable blocks = 256 tokens; six requests of 100 tokens need 42 blocks at their peak.
    const { engine, recorders, run } = workload(17);
    expect(engine.stats().preemptions).toBeGreaterThan(0);
    for (const recorder of recorders) {
      expect(recorder.result).toMatchObject({ reason: "length", completionTokens: 40, promptTokens: 60 });
    }
    const removed = run.events.filter((event): event is BlockRemovedEvent => event.type === "BlockRemoved");
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((event) => event.blockHashes.length === 1 && event.medium === "GPU")).toBe(true);
    expect(engine.stats().kvUsage).toBe(0);
  });

  test("preemption changes timing, never the generated tokens", () => {
    const tight = workload(17).recorders.map((recorder) => recorder.tokens);
    const roomy = workload(1024).recorders.map((recorder) => recorder.tokens);
    expect(tight).toEqual(roomy);
  });

  test("kvUsage counts referenced blocks over usable blocks", () => {
    const engine = createSimEngine(engineOptions({ numGpuBlocks: 11 }));
    addOk(engine, simRequest("a", tokenRange(1, 40)));
    engine.planStep(0);
    // 40 tokens → 3 blocks of 10 usable (block 0 is vLLM's null block).
    expect(engine.stats().kvUsage).toBeCloseTo(0.3, 10);
  });
});
