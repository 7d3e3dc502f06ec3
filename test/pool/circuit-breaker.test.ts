// Circuit breaker timelines on a hand-driven clock: each step's time and expected state is computed by hand.
import { describe, expect, test } from "bun:test";
import { createCircuitBreaker } from "../../src/pool/circuit-breaker.ts";

function clock(startMs = 0) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    at(ms: number) {
      nowMs = ms;
    },
  };
}

describe("createCircuitBreaker", () => {
  test("stays closed below the threshold and a success resets the count", () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, openMs: 1000 }, time.now);
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state()).toBe("closed");
    expect(breaker.canRequest()).toBe(true);
  });

  test("opens on the Nth consecutive failure, rejects for openMs, then lets one probe through", () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, openMs: 1000 }, time.now);
    for (const ms of [0, 5, 10]) {
      time.at(ms);
      breaker.recordFailure();
    }
    // Opened at t=10: closed again for probing at t=1010.
    expect(breaker.state()).toBe("open");
    time.at(500);
    expect(breaker.canRequest()).toBe(false);
    time.at(1009);
    expect(breaker.state()).toBe("open");
    time.at(1010);
    expect(breaker.state()).toBe("half-open");
    expect(breaker.canRequest()).toBe(true);
    expect(breaker.canRequest()).toBe(false);
  });

  test("a successful probe closes the circuit", () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 1000 }, time.now);
    breaker.recordFailure();
    time.at(1000);
    expect(breaker.canRequest()).toBe(true);
    time.at(1020);
    breaker.recordSuccess();
    expect(breaker.state()).toBe("closed");
    expect(breaker.canRequest()).toBe(true);
    expect(breaker.canRequest()).toBe(true);
  });

  test("a failed probe re-opens the circuit for another openMs from the failure", () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 1000 }, time.now);
    breaker.recordFailure();
    time.at(1000);
    expect(breaker.canRequest()).toBe(true);
    time.at(1020);
    breaker.recordFailure();
    expect(breaker.state()).toBe("open");
    time.at(2019);
    expect(breaker.canRequest()).toBe(false);
    time.at(2020);
    expect(breaker.state()).toBe("half-open");
    expect(breaker.canRequest()).toBe(true);
  });

  test("a probe that never reports back frees its slot after openMs", () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 1000 }, time.now);
    breaker.recordFailure();
    time.at(1000);
    expect(breaker.canRequest()).toBe(true);
    time.at(1999);
    expect(breaker.canRequest()).toBe(false);
    time.at(2000);
    expect(breaker.canRequest()).toBe(true);
  });

  test("results of requests sent before the circuit opened neither close nor extend it", () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 2, openMs: 1000 }, time.now);
    breaker.recordFailure();
    time.at(10);
    breaker.recordFailure();
    time.at(20);
    breaker.recordSuccess();
    expect(breaker.state()).toBe("open");
    time.at(900);
    breaker.recordFailure();
    time.at(1010);
    expect(breaker.state()).toBe("half-open");
  });

  test("halfOpenMaxProbes lets that many probes through at once", () => {
    const time = clock();
    const breaker = createCircuitBreaker(
      { failureThreshold: 1, openMs: 100, halfOpenMaxProbes: 2 },
      time.now,
    );
    breaker.recordFailure();
    time.at(100);
    expect([breaker.canRequest(), breaker.canRequest(), breaker.canRequest()]).toEqual([true, true, false]);
  });

  test("defaults: 5 failures open it for 10 s", () => {
    const time = clock();
    const breaker = createCircuitBreaker({}, time.now);
    for (let i = 0; i < 4; i++) breaker.recordFailure();
    expect(breaker.state()).toBe("closed");
    breaker.recordFailure();
    expect(breaker.state()).toBe("open");
    time.at(9999);
    expect(breaker.state()).toBe("open");
    time.at(10_000);
    expect(breaker.state()).toBe("half-open");
  });
});
