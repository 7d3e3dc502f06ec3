// Stats snapshot: queue gauges by reason and the LoRA adapter lists.
import { describe, expect, test } from "bun:test";
import { createSimEngine } from "../../../src/sim/engine/engine.ts";
import { addOk, engineOptions, runUntilIdle, simRequest, tokenRange } from "./engine-fixture.ts";

describe("stats", () => {
  test("lists running and waiting LoRA adapters, sorted and distinct", () => {
    const engine = createSimEngine(engineOptions({ maxNumSeqs: 2 }));
    for (const [id, loraName] of [
      ["a", "zeta"],
      ["b", "alpha"],
      ["c", "zeta"],
      ["d", null],
      ["e", "beta"],
    ] as const) {
      addOk(engine, simRequest(id, tokenRange(1, 10), { loraName }));
    }
    engine.planStep(0);
    expect(engine.stats()).toMatchObject({
      running: 2,
      waiting: 3,
      waitingCapacity: 3,
      waitingDeferred: 0,
      runningLoras: ["alpha", "zeta"],
      waitingLoras: ["beta", "zeta"],
    });
  });

  test("counts prompt and generation tokens once per request", () => {
    const engine = createSimEngine(engineOptions());
    addOk(engine, simRequest("a", tokenRange(1, 30), { maxTokens: 7 }));
    addOk(engine, simRequest("b", tokenRange(100, 12), { maxTokens: 3 }));
    runUntilIdle(engine);
    expect(engine.stats()).toMatchObject({
      promptTokens: 42,
      generationTokens: 10,
      promptTokensLocalCompute: 42,
      promptTokensLocalCacheHit: 0,
      promptTokensExternalTransfer: 0,
      running: 0,
      waiting: 0,
      kvUsage: 0,
      numGpuBlocks: 256,
      numCpuBlocks: 0,
    });
  });
});
