import { describe, expect, test } from "bun:test";
import {
  createMemoryRateLimitStore,
  createRateLimiter,
  type RateLimitStore,
} from "../../../src/flow/index.ts";
import { FakeClock } from "../fake-clock.ts";

function hangingStore(): RateLimitStore {
  return {
    acquire: () => new Promise(() => {}),
    recordTokens: () => new Promise(() => {}),
    close() {},
  };
}

describe("rate limiter", () => {
  test("keys without limits never touch the store", async () => {
    const limiter = createRateLimiter({ store: hangingStore(), storeTimeoutMs: 10 });
    expect(await limiter.check("k", { rpm: null, tpm: null })).toEqual({ ok: true });
  });

  test("a store that does not answer in time is skipped: admitted and counted", async () => {
    const clock = new FakeClock();
    const errors: Error[] = [];
    const limiter = createRateLimiter({
      store: hangingStore(),
      storeTimeoutMs: 50,
      timers: clock,
      onStoreError: (e) => errors.push(e),
    });
    let decision: unknown = null;
    void limiter.check("k", { rpm: 1, tpm: null }).then((d) => (decision = d));
    await clock.advance(49);
    expect(decision).toBeNull();
    await clock.advance(1);
    expect(decision).toEqual({ ok: true });
    expect(limiter.stats().storeFailures).toBe(1);
    expect(errors[0]?.message).toContain("50 ms");
  });

  test("a store that throws is skipped the same way", async () => {
    const failing: RateLimitStore = {
      acquire: () => Promise.reject(new Error("boom")),
      recordTokens: () => Promise.reject(new Error("boom")),
      close() {},
    };
    const limiter = createRateLimiter({ store: failing, storeTimeoutMs: 1000 });
    expect(await limiter.check("k", { rpm: 1, tpm: 1 })).toEqual({ ok: true });
    limiter.recordUsage("k", 10, 5);
    await Bun.sleep(0);
    expect(limiter.stats().storeFailures).toBe(2);
  });

  test("counts refusals by limit", async () => {
    const limiter = createRateLimiter({
      store: createMemoryRateLimitStore({ now: () => 0 }),
      storeTimeoutMs: 1000,
    });
    await limiter.check("k", { rpm: 1, tpm: null });
    await limiter.check("k", { rpm: 1, tpm: null });
    limiter.recordUsage("t", 10, 20);
    await Bun.sleep(0);
    await limiter.check("t", { rpm: null, tpm: 10 });
    expect(limiter.stats()).toEqual({ storeFailures: 0, rejectedRequests: 1, rejectedTokens: 1 });
  });
});
