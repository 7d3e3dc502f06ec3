// Reconnect backoff: doubling from the initial delay, capped, reset after success.
import { describe, expect, test } from "bun:test";
import { createBackoff } from "../../../src/kvcache/zmq/backoff.ts";

describe("createBackoff", () => {
  test("doubles from 100 ms and caps at 5 s", () => {
    const backoff = createBackoff(100, 5000);
    const delays = Array.from({ length: 8 }, () => backoff.nextDelayMs());
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  test("starts again from the initial delay after reset", () => {
    const backoff = createBackoff(10, 1000);
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(10);
  });

  test("stays finite after many failures", () => {
    const backoff = createBackoff(1, 60_000);
    for (let attempt = 0; attempt < 2000; attempt += 1) backoff.nextDelayMs();
    expect(backoff.nextDelayMs()).toBe(60_000);
  });
});
