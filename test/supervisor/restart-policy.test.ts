import { describe, expect, test } from "bun:test";
import { createRestartPolicy, DEFAULT_BACKOFF } from "../../src/supervisor/restart-policy.ts";

function delays(rng: () => number, crashes: number, maxRestarts = 100): (number | string)[] {
  const policy = createRestartPolicy({ ...DEFAULT_BACKOFF, maxRestarts, windowMs: 600_000, rng });
  return Array.from({ length: crashes }, (_, i) => {
    const decision = policy.onCrash(i * 1000, null);
    return decision.action === "restart" ? decision.delayMs : decision.reason;
  });
}

describe("restart policy", () => {
  test("doubles from 1 s and caps at 60 s", () => {
    expect(delays(() => 0.5, 8)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  });

  test("jitters each delay by at most ±20 %, never above the cap", () => {
    expect(delays(() => 0, 3)).toEqual([800, 1600, 3200]);
    expect(delays(() => 0.999_999, 8).slice(0, 3)).toEqual([1200, 2400, 4800]);
    expect(delays(() => 0.999_999, 8).at(-1)).toBe(60000);
  });

  test("gives up on the crash after max_restarts within the window", () => {
    expect(delays(() => 0.5, 3, 2)).toEqual([1000, 2000, "3 crashes within 600 s (max_restarts 2)"]);
  });

  test("forgets crashes older than the window", () => {
    const policy = createRestartPolicy({
      ...DEFAULT_BACKOFF,
      maxRestarts: 1,
      windowMs: 10_000,
      rng: () => 0.5,
    });
    expect(policy.onCrash(0, null).action).toBe("restart");
    expect(policy.onCrash(10_000, null).action).toBe("restart");
    expect(policy.onCrash(15_000, null).action).toBe("give-up");
  });

  test("max_restarts 0 gives up on the first crash", () => {
    expect(delays(() => 0.5, 1, 0)).toEqual(["1 crash within 600 s (max_restarts 0)"]);
  });
});
