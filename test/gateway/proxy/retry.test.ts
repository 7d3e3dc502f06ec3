// Retry policy: which statuses are transport failures, and the jittered exponential backoff.
import { describe, expect, test } from "bun:test";
import { backoffDelayMs, isRetryableStatus, sleepUnlessAborted } from "../../../src/gateway/proxy/retry.ts";

describe("isRetryableStatus", () => {
  test.each([
    [502, true],
    [503, true],
    [504, true],
    [500, false],
    [400, false],
    [404, false],
    [429, false],
    [200, false],
  ])("status %d retryable: %p", (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});

describe("backoffDelayMs", () => {
  const settings = { initialBackoffMs: 50, maxBackoffMs: 300 };
  test.each([
    // failures, random, expected: min(300, 50·2^(n-1)) · (0.5 + 0.5·random)
    [1, 1, 50],
    [2, 1, 100],
    [3, 1, 200],
    [4, 1, 300],
    [9, 1, 300],
    [1, 0, 25],
    [3, 0.5, 150],
    [4, 0, 150],
  ])("after %d failures with random %d waits %d ms", (failures, random, expected) => {
    expect(backoffDelayMs(failures, settings, () => random)).toBe(expected);
  });
});

describe("sleepUnlessAborted", () => {
  test("returns at once when the signal aborts", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const sleeping = sleepUnlessAborted(10_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
