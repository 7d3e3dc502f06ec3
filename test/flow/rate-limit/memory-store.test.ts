import { describe, expect, test } from "bun:test";
import { createMemoryRateLimitStore } from "../../../src/flow/index.ts";

describe("memory rate-limit store", () => {
  test("rpm is a bucket of one minute's requests refilling continuously", async () => {
    let nowMs = 0;
    const store = createMemoryRateLimitStore({ now: () => nowMs });
    const limits = { rpm: 2, tpm: null };
    expect((await store.acquire("k", limits)).ok).toBe(true);
    expect((await store.acquire("k", limits)).ok).toBe(true);
    expect(await store.acquire("k", limits)).toEqual({ ok: false, limit: "requests", retryAfterMs: 30_000 });
    nowMs = 15_000;
    expect(await store.acquire("k", limits)).toEqual({ ok: false, limit: "requests", retryAfterMs: 15_000 });
    nowMs = 30_000;
    expect((await store.acquire("k", limits)).ok).toBe(true);
  });

  test("tpm admits while the token bucket is positive; usage after the request may put it in debt", async () => {
    let nowMs = 0;
    const store = createMemoryRateLimitStore({ now: () => nowMs });
    const limits = { rpm: null, tpm: 1000 };
    expect((await store.acquire("k", limits)).ok).toBe(true);
    await store.recordTokens("k", 1000, 1500);
    // Level −500: one token back after (1 + 500) × 60 ms = 30.06 s.
    expect(await store.acquire("k", limits)).toEqual({ ok: false, limit: "tokens", retryAfterMs: 30_060 });
    nowMs = 30_060;
    expect((await store.acquire("k", limits)).ok).toBe(true);
  });

  test("keys are independent and full buckets are pruned past the bound", async () => {
    const store = createMemoryRateLimitStore({ now: () => 0, maxBuckets: 2 });
    for (const key of ["a", "b", "c", "d"])
      expect((await store.acquire(key, { rpm: 1, tpm: null })).ok).toBe(true);
    expect((await store.acquire("a", { rpm: 1, tpm: null })).ok).toBe(false);
  });
});
