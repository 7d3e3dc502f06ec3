import { describe, expect, test } from "bun:test";
import { PromptKeysCache, promptDigest } from "../../src/cli/prefix-keys-cache.ts";
import type { PrefixKeysInput } from "../../src/gateway/index.ts";
import type { PrefixKeys } from "../../src/scheduler/index.ts";

function keysOf(blocks: number): PrefixKeys {
  return { keys: new BigUint64Array(blocks), blockSizeTokens: 16, promptTokens: blocks * 16 };
}

const INPUT: PrefixKeysInput = {
  requestId: "r",
  route: "chat",
  body: { messages: [{ role: "user", content: "hi" }], temperature: 0.5 },
  model: "m",
  loraName: null,
};

describe("PromptKeysCache", () => {
  test("evicts the least recently used prompt beyond its entry bound", () => {
    const cache = new PromptKeysCache(2, 100);
    cache.set(1n, keysOf(1));
    cache.set(2n, keysOf(1));
    cache.get(1n);
    cache.set(3n, keysOf(1));
    expect([cache.get(1n) !== undefined, cache.get(2n) !== undefined, cache.get(3n) !== undefined]).toEqual([
      true,
      false,
      true,
    ]);
  });

  test("keeps at most its block bound, and never stores one prompt larger than it", () => {
    const cache = new PromptKeysCache(10, 8);
    cache.set(1n, keysOf(5));
    cache.set(2n, keysOf(5));
    expect(cache.get(1n)).toBeUndefined();
    expect(cache.size).toBe(1);
    cache.set(3n, keysOf(9));
    expect(cache.get(3n)).toBeUndefined();
    expect(cache.get(2n)?.keys.length).toBe(5);
  });
});

describe("promptDigest", () => {
  test("changes with what the keys depend on and ignores sampling fields", () => {
    const base = promptDigest("chat", INPUT, 16);
    expect(promptDigest("chat", { ...INPUT, body: { ...INPUT.body, temperature: 1 } }, 16).key).toBe(
      base.key,
    );
    expect(promptDigest("chat", INPUT, 32).key).not.toBe(base.key);
    expect(promptDigest("chat", { ...INPUT, loraName: "a" }, 16).key).not.toBe(base.key);
    expect(promptDigest("chat", { ...INPUT, body: { ...INPUT.body, cache_salt: "s" } }, 16).key).not.toBe(
      base.key,
    );
    expect(base.chars).toBeGreaterThan("hi".length);
  });
});
