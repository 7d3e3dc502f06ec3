// The Redis rate-limit store against a real redis-server: buckets shared by two gateways, Redis's clock,
// script reload after a flush, and failing open when Redis goes away.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import {
  connectRedisRateLimitStore,
  createRateLimiter,
  type RateLimitStore,
} from "../../../src/flow/index.ts";
import { type RunningRedis, startRedis } from "./redis-server.ts";

let redis: RunningRedis;
const stores: RateLimitStore[] = [];

async function store(): Promise<RateLimitStore> {
  const created = await connectRedisRateLimitStore(redis.url, "test:rl:");
  stores.push(created);
  return created;
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const s of stores) s.close();
  await redis.stop();
});

describe("redis rate-limit store", () => {
  test("two gateways share one request bucket: rpm 3 admits 3 in total, then asks to wait ~20 s", async () => {
    const [a, b] = [await store(), await store()];
    const limits = { rpm: 3, tpm: null };
    const decisions = [
      await a.acquire("shared", limits),
      await b.acquire("shared", limits),
      await a.acquire("shared", limits),
      await b.acquire("shared", limits),
    ];
    expect(decisions.slice(0, 3).every((d) => d.ok)).toBe(true);
    const refused = decisions[3];
    expect(refused?.ok).toBe(false);
    if (refused !== undefined && !refused.ok) {
      expect(refused.limit).toBe("requests");
      // One request refills in 60 s / 3 = 20 s (less the few ms the test took).
      expect(refused.retryAfterMs).toBeGreaterThan(19_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(20_000);
    }
  });

  test("token usage recorded by one gateway blocks the key on another until it refills", async () => {
    const [a, b] = [await store(), await store()];
    const limits = { rpm: null, tpm: 600 };
    expect((await b.acquire("tokens", limits)).ok).toBe(true);
    await a.recordTokens("tokens", 600, 900);
    const refused = await b.acquire("tokens", limits);
    expect(refused).toMatchObject({ ok: false, limit: "tokens" });
    // Level 600 − 900 = −300; one token back at (1 + 300) × 60 000 / 600 = 30 100 ms.
    if (!refused.ok) expect(Math.abs(refused.retryAfterMs - 30_100)).toBeLessThan(200);
    // Debt is capped at one minute's allowance (−600): 60 100 ms at most.
    await a.recordTokens("tokens", 600, 1_000_000);
    const capped = await b.acquire("tokens", limits);
    if (!capped.ok) expect(Math.abs(capped.retryAfterMs - 60_100)).toBeLessThan(200);
    const client = new RedisClient(redis.url);
    expect(Number(await client.send("PTTL", ["test:rl:{tokens}:tpm"]))).toBeGreaterThan(100_000);
    client.close();
  });

  test("a refused token check takes no request from the request bucket", async () => {
    const s = await store();
    await s.recordTokens("both", 100, 500);
    expect((await s.acquire("both", { rpm: 1, tpm: 100 })).ok).toBe(false);
    expect(await s.acquire("both", { rpm: 1, tpm: null })).toEqual({ ok: true });
  });

  test("scripts are reloaded after Redis loses them", async () => {
    const s = await store();
    expect((await s.acquire("flush", { rpm: 10, tpm: null })).ok).toBe(true);
    const client = new RedisClient(redis.url);
    await client.send("SCRIPT", ["FLUSH"]);
    client.close();
    expect((await s.acquire("flush", { rpm: 10, tpm: null })).ok).toBe(true);
  });

  test("with Redis gone the limiter admits, within its timeout, and counts the failure", async () => {
    const spare = await startRedis();
    const errors: Error[] = [];
    const limiter = createRateLimiter({
      store: await connectRedisRateLimitStore(spare.url, "test:rl:"),
      storeTimeoutMs: 200,
      onStoreError: (error) => errors.push(error),
    });
    expect((await limiter.check("gone", { rpm: 1, tpm: null })).ok).toBe(true);
    await spare.stop();
    const startedMs = performance.now();
    expect(await limiter.check("gone", { rpm: 1, tpm: null })).toEqual({ ok: true });
    expect(performance.now() - startedMs).toBeLessThan(1000);
    expect(limiter.stats().storeFailures).toBe(1);
    expect(errors).toHaveLength(1);
    limiter.close();
  });

  test("a gateway starts while Redis is down: connecting reports the failure and the store fails fast", async () => {
    const errors: Error[] = [];
    const down = await connectRedisRateLimitStore(
      "redis://:secret@127.0.0.1:1",
      "test:rl:",
      (e) => errors.push(e),
      300,
    );
    expect(errors[0]?.message).toContain("redis://:***@127.0.0.1:1");
    expect(errors[0]?.message).not.toContain("secret");
    await expect(down.acquire("k", { rpm: 1, tpm: null })).rejects.toThrow();
    down.close();
  });
});
