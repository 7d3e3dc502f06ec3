// Step-time model checks against hand-computed engine-figures §8 values.
import { describe, expect, test } from "bun:test";
import { createSimEngine } from "../../../src/sim/engine/engine.ts";
import { kvTransferMs, prefillPairs, stepDurationMs } from "../../../src/sim/engine/step-cost.ts";
import type { SimProfile } from "../../../src/sim/engine/types.ts";
import { addOk, engineOptions, profile, runUntilIdle, simRequest, tokenRange } from "./engine-fixture.ts";

const LLAMA_8B = profile("h100-llama3-8b");
const QWEN_32B = profile("h100-qwen3-32b-tp2");
const LLAMA_70B_TP4 = profile("h100-llama3-70b-tp4");

/** Idle TTFT of one prompt through the engine, plus the server's API overhead (§8.2). */
function idleTtftMs(simProfile: SimProfile, promptLength: number): number {
  const engine = createSimEngine(
    engineOptions({
      profile: simProfile,
      numGpuBlocks: simProfile.gpuBlocks,
      maxNumBatchedTokens: simProfile.maxNumBatchedTokens,
      maxModelLen: simProfile.maxModelLen,
    }),
  );
  const recorder = addOk(engine, simRequest("r", tokenRange(1, promptLength), { maxTokens: 1 }));
  runUntilIdle(engine);
  return (recorder.tokenTimesMs[0] ?? Number.NaN) + simProfile.apiOverheadMs;
}

function decodeStepMs(simProfile: SimProfile, batch: number, contextTokens: number): number {
  return stepDurationMs(simProfile, {
    scheduledTokens: batch,
    attentionPairs: 0,
    decodeContextTokens: batch * contextTokens,
  });
}

describe("step cost (engine-figures §8.2)", () => {
  test("counts causal pairs of a chunk after a cached prefix", () => {
    // 4 new tokens after 10: each attends 11, 12, 13, 14 keys = 50.
    expect(prefillPairs(4, 10)).toBe(50);
    expect(prefillPairs(8192, 0)).toBe(8192 * 4096.5);
  });

  test("8B: one 8192-token prefill step is 214.66 ms, 225 ms TTFT with the API overhead", () => {
    // 1.10 + max(5.35, 22.3e-3 × 8192) + 0.92e-6 × 8192 × 4096.5 = 1.10 + 182.68 + 30.87
    const stepMs = stepDurationMs(LLAMA_8B, {
      scheduledTokens: 8192,
      attentionPairs: prefillPairs(8192, 0),
      decodeContextTokens: 0,
    });
    expect(stepMs).toBeCloseTo(214.655, 2);
    expect(idleTtftMs(LLAMA_8B, 8192)).toBeCloseTo(224.655, 2);
  });

  test("8B: a batch-1 decode at 1k context is 6.49 ms (S8 fit 6.44 + 0.0437 µs × ctx)", () => {
    expect(decodeStepMs(LLAMA_8B, 1, 1024)).toBeCloseTo(1.1 + 5.35 + 0.0437e-3 * 1024, 6);
    expect(decodeStepMs(LLAMA_8B, 1, 1024)).toBeCloseTo(6.5, 1);
  });

  test.each([
    // [prompt tokens, §8.4 model TTFT ms]
    [10_000, 281],
    [30_000, 1097],
    [50_000, 2283],
    [100_000, 6854],
  ])("8B: idle TTFT of a %i-token prompt matches §8.4 (%i ms) within 1 percent", (tokens, expectedMs) => {
    const ttftMs = idleTtftMs(LLAMA_8B, tokens);
    expect(Math.abs(ttftMs - expectedMs) / expectedMs).toBeLessThan(0.01);
  });

  test.each([
    // [profile, batch, context, §2.2 ITL ms]
    [LLAMA_8B, 8, 1024, 6.8],
    [LLAMA_8B, 128, 4096, 29.4],
    [LLAMA_8B, 256, 1024, 18.3],
    [QWEN_32B, 1, 1024, 14.3],
    [QWEN_32B, 256, 8192, 108],
    [LLAMA_70B_TP4, 1, 1024, 16.0],
    [LLAMA_70B_TP4, 256, 4096, 47.9],
  ])(
    "%#: decode-only steps reproduce the §2.2 ITL grid within 3 percent",
    (simProfile, batch, context, expectedMs) => {
      const stepMs = decodeStepMs(simProfile, batch, context);
      expect(Math.abs(stepMs - expectedMs) / expectedMs).toBeLessThan(0.03);
    },
  );

  test("32B TP2: an 8192-token prefill is 515 ms TTFT (S1: 8192 / 15928 tok/s = 514 ms)", () => {
    // 2.90 + 50.3e-3 × 8192 + 3.5e-3 × 8192 + 1.84e-6 × 8192 × 4096.5 = 505.37, + 10 ms API
    expect(idleTtftMs(QWEN_32B, 8192)).toBeCloseTo(515.37, 1);
    expect(Math.abs(idleTtftMs(QWEN_32B, 8192) - 514.3) / 514.3).toBeLessThan(0.01);
  });

  test("KV transfer of 8k tokens on the 8B profile is setup + 1.07 GB at 20 GB/s", () => {
    // 5 ms + 8192 × 131072 B / 20e9 B/s = 5 + 53.69 ms (§6.1 per-request size)
    expect(kvTransferMs(LLAMA_8B, 8192)).toBeCloseTo(58.687, 2);
  });
});
