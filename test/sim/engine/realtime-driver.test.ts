// The real-time driver on real timers with the tiny-cpu profile (steps of ~1.5 ms).
import { describe, expect, test } from "bun:test";
import type { KvEvent } from "../../../src/kvcache/events/types.ts";
import { createSimEngine } from "../../../src/sim/engine/engine.ts";
import { startRealtimeDriver } from "../../../src/sim/engine/realtime-driver.ts";
import type { SimEngine, SimStep } from "../../../src/sim/engine/types.ts";
import { addOk, engineOptions, profile, type Recorder, simRequest, tokenRange } from "./engine-fixture.ts";

function finished(recorders: readonly Recorder[], timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (recorders.every((recorder) => recorder.result !== null)) {
        clearInterval(poll);
        resolve();
      } else if (performance.now() > deadline) {
        clearInterval(poll);
        reject(new Error("requests did not finish in time"));
      }
    }, 2);
  });
}

/** Counts planStep calls. */
function counting(engine: SimEngine): { engine: SimEngine; plans: () => number } {
  let plans = 0;
  const wrapped: SimEngine = {
    ...engine,
    planStep(nowMs) {
      plans++;
      return engine.planStep(nowMs);
    },
  };
  return { engine: wrapped, plans: () => plans };
}

describe("startRealtimeDriver", () => {
  test("steps requests to completion and reports each step with its KV events", async () => {
    const engine = createSimEngine(engineOptions());
    const steps: SimStep[] = [];
    const events: KvEvent[] = [];
    const driver = startRealtimeDriver(engine, {
      timeScale: 1,
      now: () => performance.now(),
      onStepDone: (stepEvents, step) => {
        steps.push(step);
        events.push(...stepEvents);
      },
    });
    const recorders = [1, 2, 3].map((i) =>
      addOk(engine, simRequest(`r${i}`, tokenRange(i * 100, 40), { maxTokens: 20 })),
    );
    driver.wake();
    await finished(recorders);
    driver.stop();
    expect(recorders.every((recorder) => recorder.result?.completionTokens === 20)).toBe(true);
    expect(steps.length).toBe(20);
    expect(events.filter((event) => event.type === "BlockStored").length).toBeGreaterThan(0);
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]!.startMs).toBeGreaterThanOrEqual(steps[i - 1]!.startMs + steps[i - 1]!.durationMs);
    }
  });

  test("idles without work, and coalesces many wakes into one plan", async () => {
    const { engine, plans } = counting(createSimEngine(engineOptions()));
    const driver = startRealtimeDriver(engine, { timeScale: 1, now: () => performance.now() });
    for (let i = 0; i < 50; i++) driver.wake();
    await Bun.sleep(5);
    expect(plans()).toBe(1);
    const recorder = addOk(engine, simRequest("late", tokenRange(1, 10), { maxTokens: 3 }));
    driver.wake();
    await finished([recorder]);
    driver.stop();
    expect(recorder.result?.completionTokens).toBe(3);
  });

  test("runs engine time faster than the wall clock with timeScale", async () => {
    const llama = profile("h100-llama3-8b");
    const engine = createSimEngine(
      engineOptions({ profile: llama, numGpuBlocks: 1024, maxNumBatchedTokens: 8192, maxModelLen: 10_000 }),
    );
    const origin = performance.now();
    const driver = startRealtimeDriver(engine, {
      timeScale: 100,
      now: () => (performance.now() - origin) * 100,
    });
    // 215 ms of prefill plus 9 decodes of 6.5 ms ≈ 273 engine ms ≈ 2.7 wall ms.
    const recorder = addOk(engine, simRequest("r", tokenRange(1, 8192), { maxTokens: 10 }));
    driver.wake();
    await finished([recorder], 2000);
    driver.stop();
    expect(recorder.tokenTimesMs[0]).toBeGreaterThanOrEqual(214);
    expect(performance.now() - origin).toBeLessThan(1000);
  });

  test("cuts an idle wait for a CPU load short when new work arrives", async () => {
    // A restore so slow that the load never completes during the test.
    const slow = { ...profile("tiny-cpu"), cpuRestoreUsPerToken: 1e6 };
    const engine = createSimEngine(
      engineOptions({ profile: slow, numGpuBlocks: 9, numCpuBlocks: 64, maxModelLen: 128 }),
    );
    const driver = startRealtimeDriver(engine, { timeScale: 1, now: () => performance.now() });
    const warm = [addOk(engine, simRequest("a", tokenRange(1, 96), { maxTokens: 1 }))];
    driver.wake();
    await finished(warm);
    const evict = [addOk(engine, simRequest("b", tokenRange(5000, 96), { maxTokens: 1 }))];
    driver.wake();
    await finished(evict);
    const loading = addOk(engine, simRequest("a2", tokenRange(1, 100), { maxTokens: 1 }));
    driver.wake();
    await Bun.sleep(5);
    expect(engine.stats().waitingDeferred).toBe(1);
    const fresh = addOk(engine, simRequest("c", tokenRange(9000, 20), { maxTokens: 2 }));
    driver.wake();
    await finished([fresh], 1000);
    driver.stop();
    expect(loading.result).toBeNull();
  });

  test("stop halts stepping", async () => {
    const engine = createSimEngine(engineOptions());
    const driver = startRealtimeDriver(engine, { timeScale: 1, now: () => performance.now() });
    const recorder = addOk(engine, simRequest("r", tokenRange(1, 10), { maxTokens: 1000 }));
    driver.wake();
    await Bun.sleep(10);
    driver.stop();
    const tokensAtStop = recorder.tokens.length;
    await Bun.sleep(20);
    expect(recorder.tokens.length).toBe(tokensAtStop);
    expect(recorder.result).toBeNull();
  });
});
