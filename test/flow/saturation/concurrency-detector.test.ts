import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/flow/saturation/concurrency-detector.ts";
import { endpoint } from "../builders.ts";

describe("concurrency-detector", () => {
  const pool = [
    endpoint("e0", 0, { inFlight: { requests: 30, prefillTokens: 200_000, decodeTokens: 100_000 } }),
    endpoint("e1", 0, { inFlight: { requests: 10, prefillTokens: 100_000, decodeTokens: 0 } }),
  ];

  test("tokens mode: in-flight tokens over 1,000,000 per endpoint", () => {
    const detector = create("c", Params.parse({}), { now: () => 0 });
    expect(detector.saturation(pool, { requests: 0, tokens: 0 }, 0)).toBeCloseTo(0.2, 10);
  });

  test("requests mode counts the larger of the endpoints' load and what admission let through", () => {
    const detector = create("c", Params.parse({ concurrencyMode: "requests", maxConcurrency: 20 }), {
      now: () => 0,
    });
    expect(detector.saturation(pool, { requests: 0, tokens: 0 }, 0)).toBe(1);
    expect(detector.saturation(pool, { requests: 60, tokens: 0 }, 0)).toBe(1.5);
  });

  test("unhealthy endpoints add no capacity; none usable is saturated", () => {
    const detector = create("c", Params.parse({ concurrencyMode: "requests", maxConcurrency: 40 }), {
      now: () => 0,
    });
    const halfDown = [pool[0], endpoint("down", 0, { isHealthy: false })].filter((e) => e !== undefined);
    expect(detector.saturation(halfDown, { requests: 0, tokens: 0 }, 0)).toBe(0.75);
    expect(
      detector.saturation([endpoint("down", 0, { circuit: "open" })], { requests: 0, tokens: 0 }, 0),
    ).toBe(1);
  });
});
