// Presets: the required names exist, are frozen and carry the §1.2 / §3.2 capacities.
import { describe, expect, test } from "bun:test";
import { getSimProfile, SIM_PROFILES, simProfileNames } from "../../../src/sim/engine/profiles.ts";

describe("profiles", () => {
  test("offers the tiny test preset and the H100 presets", () => {
    expect(simProfileNames()).toEqual(
      expect.arrayContaining(["tiny-cpu", "h100-llama3-8b", "h100-qwen3-32b-tp2", "h100-llama3-70b-tp4"]),
    );
    expect(getSimProfile("nope")).toBeUndefined();
    expect(getSimProfile("toString")).toBeUndefined();
  });

  test("H100 presets use vLLM's serve defaults and §3.2 block counts", () => {
    expect(getSimProfile("h100-llama3-8b")).toMatchObject({
      maxNumBatchedTokens: 8192,
      maxNumSeqs: 1024,
      gpuBlocks: 26_300,
    });
    expect(getSimProfile("h100-qwen3-32b-tp2")?.gpuBlocks).toBeGreaterThanOrEqual(18_000);
    expect(getSimProfile("h100-llama3-70b-tp4")?.gpuBlocks).toBe(27_000);
  });

  test("profiles are frozen and self-named", () => {
    for (const [name, simProfile] of Object.entries(SIM_PROFILES)) {
      expect(simProfile.name).toBe(name);
      expect(Object.isFrozen(simProfile)).toBe(true);
    }
    expect(getSimProfile("tiny-cpu")?.startupDelayMs).toBe(0);
  });
});
