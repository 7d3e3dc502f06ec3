// Per-request block hashing: extra keys in vLLM's order, chains equal to kvcache's, wire forms.
import { describe, expect, test } from "bun:test";
import { extraKeysForBlock, hashBlockChain, toWireInt } from "../../../src/kvcache/block-hash.ts";
import {
  blockTokens,
  digestKey,
  ensureBlockHashes,
  type RequestHashInputs,
  requestExtraKeys,
  toWireHash,
} from "../../../src/sim/engine/block-hashes.ts";
import { TEST_HASHER, tokenRange } from "./engine-fixture.ts";

function inputs(
  prompt: number[],
  output: number[],
  loraName: string | null,
  cacheSalt: string | null,
): RequestHashInputs {
  const keys = requestExtraKeys(loraName, cacheSalt);
  return {
    promptTokenIds: prompt,
    output,
    hashes: [],
    hashKeys: [],
    firstExtraKeys: keys.first,
    restExtraKeys: keys.rest,
  };
}

describe("block hashes", () => {
  test.each([
    [null, null],
    ["adapter", null],
    [null, "salt"],
    ["adapter", "salt"],
    [null, ""],
  ] as const)("extra keys for lora %p and salt %p match kvcache's", (loraName, cacheSalt) => {
    const keys = requestExtraKeys(loraName, cacheSalt);
    expect(keys.first).toEqual(extraKeysForBlock(0, { loraName, cacheSalt }));
    expect(keys.rest).toEqual(extraKeysForBlock(1, { loraName, cacheSalt }));
  });

  test("hashes prompt and generated tokens as one chain", () => {
    const prompt = tokenRange(1, 20);
    const output = tokenRange(500, 30);
    const state = inputs(prompt, output, "adapter", "salt");
    ensureBlockHashes(state, 3, TEST_HASHER, 16);
    const expected = hashBlockChain(TEST_HASHER, [...prompt, ...output], 16, {
      loraName: "adapter",
      cacheSalt: "salt",
    });
    expect(state.hashes).toEqual(expected);
    expect(state.hashKeys).toEqual(expected.map(digestKey));
    expect(blockTokens(state, 1, 16)).toEqual([17, 18, 19, 20, ...tokenRange(500, 12)]);
  });

  test("wire hashes are the low 64 bits, or the raw digest", () => {
    const [digest] = hashBlockChain(TEST_HASHER, tokenRange(1, 16), 16, {});
    expect(toWireHash(digest!, true)).toBe(toWireInt(digest!));
    expect(toWireHash(digest!, true)).toBe(3236607068019569386n);
    expect(toWireHash(digest!, false)).toBe(digest!);
    const high = new Uint8Array(32).fill(0xff);
    expect(toWireHash(high, true)).toBe(2n ** 64n - 1n);
  });

  test("digest keys are distinct per digest and stable", () => {
    const digests = hashBlockChain(TEST_HASHER, tokenRange(1, 160), 16, {});
    const keys = new Set(digests.map(digestKey));
    expect(keys.size).toBe(10);
    expect(digestKey(digests[0]!)).toBe(digestKey(new Uint8Array(digests[0]!)));
  });
});
