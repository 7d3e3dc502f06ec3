// Request lifecycle: stop conditions (length, EOS, min_tokens, stop ids, max_model_len) and the
// NixlConnector P/D flows (remote decode holds blocks, remote prefill waits for the transfer).
import { describe, expect, test } from "bun:test";
import type { BlockStoredEvent } from "../../../src/kvcache/events/types.ts";
import { createSimEngine } from "../../../src/sim/engine/engine.ts";
import { addOk, engineOptions, runUntilIdle, simRequest, tokenRange } from "./engine-fixture.ts";

const EOS = 2;

describe("stop conditions", () => {
  test("ignore_eos runs to exactly max_tokens with reason length", () => {
    const engine = createSimEngine(engineOptions());
    const recorder = addOk(engine, simRequest("a", tokenRange(1, 10), { maxTokens: 50, eosTokenId: EOS }));
    runUntilIdle(engine);
    expect(recorder.result).toMatchObject({ reason: "length", completionTokens: 50 });
    expect(recorder.tokens).toHaveLength(50);
  });

  test("without ignore_eos replies stop at a natural length with EOS as the last token", () => {
    const engine = createSimEngine(engineOptions());
    const recorders = Array.from({ length: 40 }, (_, i) =>
      addOk(
        engine,
        simRequest(`r${i}`, tokenRange(i, 8), { maxTokens: 2000, ignoreEos: false, eosTokenId: EOS }),
      ),
    );
    runUntilIdle(engine);
    for (const recorder of recorders) {
      expect(recorder.result?.reason).toBe("stop");
      expect(recorder.tokens.at(-1)).toBe(EOS);
      expect(recorder.tokens.length).toBeGreaterThanOrEqual(16);
      expect(recorder.tokens.indexOf(EOS)).toBe(recorder.tokens.length - 1);
    }
    const lengths = new Set(recorders.map((recorder) => recorder.tokens.length));
    expect(lengths.size).toBeGreaterThan(10);
  });

  test("an unknown EOS id means the reply runs to max_tokens", () => {
    const engine = createSimEngine(engineOptions());
    const recorder = addOk(engine, simRequest("a", tokenRange(1, 8), { maxTokens: 300, ignoreEos: false }));
    runUntilIdle(engine);
    expect(recorder.result).toMatchObject({ reason: "length", completionTokens: 300 });
  });

  test("min_tokens holds EOS back", () => {
    const engine = createSimEngine(engineOptions());
    const options = { maxTokens: 400, minTokens: 300, ignoreEos: false, eosTokenId: EOS };
    const recorder = addOk(engine, simRequest("a", tokenRange(1, 8), options));
    runUntilIdle(engine);
    expect(recorder.result?.reason).toBe("stop");
    expect(recorder.tokens.length).toBeGreaterThanOrEqual(300);
  });

  test("a sampled stop token id ends the reply after min_tokens", () => {
    // A sampler with a tiny vocabulary draws the stop id quickly.
    const engine = createSimEngine(engineOptions({ sampleTokenId: (r) => 100 + Math.floor(r * 4) }));
    const options = { maxTokens: 500, minTokens: 5, stopTokenIds: [103] };
    const recorder = addOk(engine, simRequest("a", tokenRange(1, 8), options));
    runUntilIdle(engine);
    expect(recorder.result?.reason).toBe("stop");
    expect(recorder.tokens.at(-1)).toBe(103);
    expect(recorder.tokens.slice(0, 5)).not.toContain(103);
    expect(recorder.tokens.slice(0, -1)).not.toContain(103);
  });

  test("max_model_len caps prompt plus output with reason length", () => {
    const engine = createSimEngine(engineOptions({ maxModelLen: 64 }));
    const recorder = addOk(engine, simRequest("a", tokenRange(1, 50), { maxTokens: 100 }));
    runUntilIdle(engine);
    expect(recorder.result).toMatchObject({ reason: "length", completionTokens: 14 });
  });
});

describe("P/D remote decode (prefill instance)", () => {
  test("emits one token, finishes with length and holds the prompt blocks until released", () => {
    const engine = createSimEngine(engineOptions({ numGpuBlocks: 101 }));
    const recorder = addOk(engine, simRequest("p", tokenRange(1, 40), { maxTokens: 1, remoteDecode: true }));
    runUntilIdle(engine);
    expect(recorder.result).toMatchObject({
      reason: "length",
      completionTokens: 1,
      computedPromptTokens: 40,
    });
    const held = recorder.result?.heldBlockIds;
    expect(held).toHaveLength(1);
    expect(held?.[0]).toHaveLength(3);
    expect(engine.stats().kvUsage).toBeCloseTo(0.03, 10);
    expect(engine.hasWork()).toBe(false);
    engine.releaseHeld("p", 100);
    expect(engine.stats().kvUsage).toBe(0);
  });

  test("emits exactly one token even when max_tokens is larger", () => {
    const engine = createSimEngine(engineOptions());
    const recorder = addOk(engine, simRequest("p", tokenRange(1, 40), { maxTokens: 50, remoteDecode: true }));
    runUntilIdle(engine);
    expect(recorder.result?.completionTokens).toBe(1);
    expect(recorder.result?.reason).toBe("length");
  });
});

describe("P/D remote prefill (decode instance)", () => {
  test("waits deferred with blocks allocated, then decodes without computing the prompt", () => {
    const engine = createSimEngine(engineOptions({ numGpuBlocks: 101 }));
    const recorder = addOk(engine, simRequest("d", tokenRange(1, 40), { maxTokens: 5, remotePrefill: true }));
    expect(engine.planStep(0)).toBeNull();
    expect(engine.stats()).toMatchObject({ waitingDeferred: 1, waitingCapacity: 0, running: 0 });
    expect(engine.stats().kvUsage).toBeCloseTo(0.03, 10);
    expect(engine.hasWork()).toBe(true);

    engine.transferDone("d", true, 50);
    const run = runUntilIdle(engine, 50);
    // The last prompt token is recomputed to sample from, then four decodes.
    expect(run.steps.map((step) => step.scheduledTokens)).toEqual([1, 1, 1, 1, 1]);
    expect(recorder.result).toMatchObject({
      reason: "length",
      completionTokens: 5,
      externalCachedTokens: 40,
      computedPromptTokens: 0,
      cachedTokens: 0,
    });
    const gpuStored = run.events.filter((event): event is BlockStoredEvent => event.type === "BlockStored");
    expect(gpuStored.flatMap((event) => event.blockHashes)).toHaveLength(2);
    const stats = engine.stats();
    expect(stats.promptTokensExternalTransfer).toBe(40);
    expect(stats.externalPrefixCacheHits).toBe(40);
  });

  test("a transfer that completes before admission is applied when blocks are allocated", () => {
    const engine = createSimEngine(engineOptions());
    const recorder = addOk(engine, simRequest("d", tokenRange(1, 40), { maxTokens: 3, remotePrefill: true }));
    engine.transferDone("d", true, 0);
    const run = runUntilIdle(engine);
    expect(run.steps[0]?.scheduledTokens).toBe(1);
    expect(recorder.result?.completionTokens).toBe(3);
  });

  test('a failed transfer finishes with "error" under the default "fail" policy and frees the blocks', () => {
    const engine = createSimEngine(engineOptions());
    const recorder = addOk(engine, simRequest("d", tokenRange(1, 40), { maxTokens: 3, remotePrefill: true }));
    engine.planStep(0);
    engine.transferDone("d", false, 10);
    expect(recorder.result?.reason).toBe("error");
    expect(recorder.finishMs).toBe(10);
    expect(engine.stats()).toMatchObject({ kvUsage: 0, waiting: 0 });
  });

  test('a failed transfer recomputes the prompt locally under the "recompute" policy', () => {
    const engine = createSimEngine(engineOptions({ kvLoadFailurePolicy: "recompute" }));
    const recorder = addOk(engine, simRequest("d", tokenRange(1, 40), { maxTokens: 3, remotePrefill: true }));
    engine.planStep(0);
    engine.transferDone("d", false, 10);
    const run = runUntilIdle(engine, 10);
    expect(run.steps[0]?.scheduledTokens).toBe(40);
    expect(recorder.result).toMatchObject({
      completionTokens: 3,
      computedPromptTokens: 40,
      externalCachedTokens: 0,
    });
  });

  test("local prefix hits are not transferred", () => {
    const engine = createSimEngine(engineOptions());
    addOk(engine, simRequest("warm", tokenRange(1, 40), { maxTokens: 1 }));
    const warm = runUntilIdle(engine);
    const recorder = addOk(engine, simRequest("d", tokenRange(1, 40), { maxTokens: 2, remotePrefill: true }));
    engine.transferDone("d", true, warm.endMs);
    runUntilIdle(engine, warm.endMs);
    expect(recorder.result).toMatchObject({
      cachedTokens: 32,
      externalCachedTokens: 8,
      computedPromptTokens: 0,
    });
  });
});
