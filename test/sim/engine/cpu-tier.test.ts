// The CPU offload tier: write-through LRU with CPU-medium events, and prefix hits restored from it.
import { describe, expect, test } from "bun:test";
import { hashBlockChain } from "../../../src/kvcache/block-hash.ts";
import type { BlockStoredEvent, KvEvent } from "../../../src/kvcache/events/types.ts";
import { CpuTier } from "../../../src/sim/engine/cpu-tier.ts";
import { createSimEngine } from "../../../src/sim/engine/engine.ts";
import { KvEventLog } from "../../../src/sim/engine/kv-event-log.ts";
import { addOk, engineOptions, runUntilIdle, simRequest, TEST_HASHER, tokenRange } from "./engine-fixture.ts";

function digest(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

function byMedium(events: readonly KvEvent[], type: KvEvent["type"], medium: string): KvEvent[] {
  return events.filter((event) => event.type === type && "medium" in event && event.medium === medium);
}

describe("CpuTier", () => {
  test("evicts the least recently used block and announces stores and removals in batches", () => {
    const log = new KvEventLog(true, true, 16);
    const tier = new CpuTier(2, log);
    tier.store(["a", "b"], [digest(1), digest(2)]);
    tier.touch("a");
    tier.store(["c"], [digest(3)]);
    expect([tier.has("a"), tier.has("b"), tier.has("c")]).toEqual([true, false, true]);
    const events = log.take();
    expect(events).toEqual([
      {
        type: "BlockStored",
        blockHashes: [digest(1), digest(2)],
        parentBlockHash: null,
        tokenIds: [],
        blockSize: 0,
        loraId: null,
        medium: "CPU",
        loraName: null,
        extraKeys: null,
        groupIdx: null,
        kvCacheSpecKind: null,
        kvCacheSpecSlidingWindow: null,
      },
      { type: "BlockRemoved", blockHashes: [digest(2)], medium: "CPU", groupIdx: null },
      expect.objectContaining({ type: "BlockStored", blockHashes: [digest(3)], medium: "CPU" }),
    ]);
  });

  test("skips blocks already offloaded", () => {
    const log = new KvEventLog(true, true, 16);
    const tier = new CpuTier(4, log);
    tier.store(["a"], [digest(1)]);
    log.take();
    tier.store(["a"], [digest(1)]);
    expect(log.take()).toEqual([]);
  });
});

describe("engine with a CPU tier", () => {
  // 8 usable GPU blocks: a second 96-token prompt evicts most of the first one's blocks.
  const options = engineOptions({ numGpuBlocks: 9, numCpuBlocks: 64, maxModelLen: 128 });
  const promptA = tokenRange(1, 96);
  const promptB = tokenRange(5000, 96);

  test("restores GPU-evicted blocks from the CPU tier as a hit, after a load delay", () => {
    const engine = createSimEngine(options);
    addOk(engine, simRequest("a", promptA, { maxTokens: 1 }));
    const runA = runUntilIdle(engine);
    addOk(engine, simRequest("b", promptB, { maxTokens: 1 }));
    const runB = runUntilIdle(engine, runA.endMs);
    const again = addOk(engine, simRequest("a2", [...promptA, ...tokenRange(9000, 16)], { maxTokens: 1 }));
    const runAgain = runUntilIdle(engine, runB.endMs);

    // Write-through: A's six blocks reach the CPU tier as raw digests.
    const [cpuStored] = byMedium(runA.events, "BlockStored", "CPU") as BlockStoredEvent[];
    expect(cpuStored?.blockHashes).toEqual(hashBlockChain(TEST_HASHER, promptA, 16, {}));
    // B reuses A's freed blocks: evicted tail first, so A keeps blocks 0 and 1 on the GPU.
    expect(byMedium(runB.events, "BlockRemoved", "GPU")).toHaveLength(4);

    expect(again.result?.cachedTokens).toBe(96);
    expect(again.result?.computedPromptTokens).toBe(16);
    // First an idle wait for 64 tokens × 0.5 µs, then the 16 new tokens.
    expect(runAgain.steps.map((step) => step.scheduledTokens)).toEqual([0, 16]);
    expect(runAgain.steps[0]?.durationMs).toBeCloseTo(0.032, 6);
    // The restored blocks are GPU-cached again.
    const gpuStored = byMedium(runAgain.events, "BlockStored", "GPU") as BlockStoredEvent[];
    expect(gpuStored[0]?.blockHashes).toHaveLength(4);

    const stats = engine.stats();
    expect(stats.prefixCacheHits).toBe(32);
    expect(stats.externalPrefixCacheHits).toBe(64);
    expect(stats.promptTokensExternalTransfer).toBe(64);
    expect(stats.numCpuBlocks).toBe(64);
  });

  test("a loading request counts as deferred until its load completes", () => {
    const engine = createSimEngine(options);
    addOk(engine, simRequest("a", promptA, { maxTokens: 1 }));
    const runA = runUntilIdle(engine);
    addOk(engine, simRequest("b", promptB, { maxTokens: 1 }));
    const runB = runUntilIdle(engine, runA.endMs);
    addOk(engine, simRequest("a2", [...promptA, 1], { maxTokens: 1 }));
    const wait = engine.planStep(runB.endMs);
    expect(wait?.scheduledTokens).toBe(0);
    expect(engine.stats()).toMatchObject({ waitingDeferred: 1, waitingCapacity: 0, running: 0 });
    engine.completeStep(wait!);
    expect(engine.planStep(runB.endMs + wait!.durationMs)?.scheduledTokens).toBe(1);
  });
});
