import { beforeAll, describe, expect, test } from "bun:test";
import {
  createBlockHasher,
  extraKeysForBlock,
  hashBlockChain,
  toWireInt,
  wireHashToBigInt,
} from "../../src/kvcache/block-hash.ts";
import type { BlockHasher } from "../../src/kvcache/block-hash-types.ts";
import type { BlockExtraKey } from "../../src/kvcache/events/types.ts";
import {
  fromJsonCbor,
  hex,
  loadReferenceVectors,
  type ReferenceVectors,
} from "../fixtures/hash/reference-vectors.ts";

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"));

describe('sha256_cbor reference vectors (vllm-interfaces.md §2.7, seed "0")', () => {
  test('NONE_HASH is sha256 of the CBOR text string "0"', async () => {
    const hasher = await createBlockHasher("sha256_cbor", "0");
    expect(hex(hasher.noneHash)).toBe("4e1195df020de59e0d65a33a4279f1183e7ae4e5d980e309f8b55adff2e61c3e");
    expect(hex(Bun.SHA256.hash(Uint8Array.of(0x61, 0x30)) as Uint8Array)).toBe(hex(hasher.noneHash));
  });

  test("block 0 and block 1 digests and their event ints", async () => {
    const hasher = await createBlockHasher("sha256_cbor", "0");
    const [block0, block1] = hashBlockChain(hasher, range(1, 33), 16, {});
    expect(hex(block0!)).toBe("202da172482d928bbc42ab25b0151e2b895f13f41002e27b2ceabcfae6d332ea");
    expect(toWireInt(block0!)).toBe(3236607068019569386n);
    expect(hex(block1!)).toBe("4a0a393805c6d2f0ed831000d41bb65980336c4c04895d5e26470bbec927f5bf");
    expect(toWireInt(block1!)).toBe(2758186210834249151n);
  });

  test("hashBlock with a null parent hashes the §2.7 block 0 CBOR payload", async () => {
    const hasher = await createBlockHasher("sha256_cbor", "0");
    const payload = fromHex(
      "8358204e1195df020de59e0d65a33a4279f1183e7ae4e5d980e309f8b55adff2e61c3e900102030405060708090a0b0c0d0e0f10f6",
    );
    const expected = Bun.SHA256.hash(payload) as Uint8Array;
    expect(hex(hasher.hashBlock(null, range(1, 17), null))).toBe(hex(expected));
    expect(hex(hasher.hashBlock(new Uint8Array(0), range(1, 17), null))).toBe(hex(expected));
  });
});

describe("cross-check with Python (cbor2 canonical + hashlib + xxhash)", () => {
  let vectors: ReferenceVectors;
  beforeAll(() => {
    vectors = loadReferenceVectors();
  });

  test("chains match for every seed, algo, block size, LoRA, cache_salt and large token id", async () => {
    expect(vectors.chains.length).toBe(18);
    for (const vector of vectors.chains) {
      const hasher = await createBlockHasher(vector.algo, vector.seed);
      expect(hex(hasher.noneHash)).toBe(vector.noneHash);
      const context = { loraName: vector.loraName, cacheSalt: vector.cacheSalt };
      const digests = hashBlockChain(hasher, vector.tokens.map(Number), vector.blockSize, context);
      expect(digests.map(hex)).toEqual(vector.blocks.map((block) => block.digest));
      expect(digests.map(toWireInt)).toEqual(vector.blocks.map((block) => BigInt(block.wireInt)));
    }
  });

  test("explicit multimodal and prompt-embedding extra keys hash like vLLM", async () => {
    for (const vector of vectors.explicit) {
      const hasher = await createBlockHasher(vector.algo, vector.seed);
      const keys = fromJsonCbor(vector.extraKeys) as BlockExtraKey[] | null;
      expect(hex(hasher.hashBlock(null, vector.tokens, keys))).toBe(vector.digest);
    }
  });

  test("xxhash_cbor digests are 16 bytes in xxh3_128_digest byte order", async () => {
    const vector = vectors.chains.find((chain) => chain.algo === "xxhash_cbor")!;
    const hasher = await createBlockHasher("xxhash_cbor", vector.seed);
    expect(hasher.noneHash.length).toBe(16);
    expect(hex(hasher.noneHash)).toBe(vector.noneHash);
  });
});

describe("hashBlockChain", () => {
  let hasher: BlockHasher;
  beforeAll(async () => {
    hasher = await createBlockHasher("sha256_cbor", "0");
  });

  test("hashes only full blocks", () => {
    expect(hashBlockChain(hasher, range(0, 15), 16, {})).toHaveLength(0);
    expect(hashBlockChain(hasher, range(0, 47), 16, {})).toHaveLength(2);
  });

  test("continuing from a parent gives the tail of the full chain when no cache_salt applies", () => {
    const tokens = range(1, 65);
    const full = hashBlockChain(hasher, tokens, 16, { loraName: "a" });
    const tail = hashBlockChain(hasher, tokens.slice(32), 16, { loraName: "a" }, full[1]!);
    expect(tail.map(hex)).toEqual(full.slice(2).map(hex));
  });

  test("a continued chain does not add the cache_salt key again", () => {
    const tokens = range(1, 33);
    const full = hashBlockChain(hasher, tokens, 16, { cacheSalt: "s" });
    const tail = hashBlockChain(hasher, tokens.slice(16), 16, { cacheSalt: "s" }, full[0]!);
    expect(hex(tail[0]!)).toBe(hex(full[1]!));
  });

  test("uses hashBlock on a BlockHasher without the range fast path", () => {
    const plain: BlockHasher = {
      algo: hasher.algo,
      noneHash: hasher.noneHash,
      hashBlock: (parent, tokens, keys) => hasher.hashBlock(parent, tokens, keys),
    };
    const context = { loraName: "a", cacheSalt: "b" };
    const expected = hashBlockChain(hasher, range(0, 48), 16, context).map(hex);
    expect(hashBlockChain(plain, range(0, 48), 16, context).map(hex)).toEqual(expected);
  });

  test("accepts a Uint32Array of tokens", () => {
    const tokens = range(100, 164);
    const expected = hashBlockChain(hasher, tokens, 16, {}).map(hex);
    expect(hashBlockChain(hasher, Uint32Array.from(tokens), 16, {}).map(hex)).toEqual(expected);
  });

  test("rejects a non-positive block size", () => {
    expect(() => hashBlockChain(hasher, range(0, 16), 0, {})).toThrow(RangeError);
    expect(() => hashBlockChain(hasher, range(0, 16), 1.5, {})).toThrow(RangeError);
  });
});

describe("createBlockHasher without PYTHONHASHSEED", () => {
  test("draws a random 32-byte NONE_HASH per hasher, as vLLM's os.urandom(32)", async () => {
    const first = await createBlockHasher("xxhash_cbor", undefined);
    const second = await createBlockHasher("sha256_cbor", undefined);
    expect(first.noneHash.length).toBe(32);
    expect(second.noneHash.length).toBe(32);
    expect(hex(first.noneHash)).not.toBe(hex(second.noneHash));
  });
});

describe("extraKeysForBlock", () => {
  const cases: [string, number, { loraName?: string | null; cacheSalt?: string | null }, unknown][] = [
    ["no extras", 0, {}, null],
    ["LoRA on block 0", 0, { loraName: "l" }, ["l"]],
    ["LoRA on a later block", 3, { loraName: "l" }, ["l"]],
    ["salt on block 0", 0, { cacheSalt: "s" }, ["s"]],
    ["no salt on a later block", 1, { cacheSalt: "s" }, null],
    ["LoRA before salt", 0, { loraName: "l", cacheSalt: "s" }, ["l", "s"]],
    ["empty salt is falsy in vLLM", 0, { cacheSalt: "" }, null],
    ["empty LoRA name still counts", 0, { loraName: "" }, [""]],
    ["null fields", 0, { loraName: null, cacheSalt: null }, null],
  ];
  test.each(cases)("%s", (_name, blockIndex, context, expected) => {
    expect(extraKeysForBlock(blockIndex, context)).toEqual(expected as BlockExtraKey[] | null);
  });
});

describe("wire hash conversions", () => {
  test("toWireInt reads the last 8 bytes big-endian", () => {
    const digest = new Uint8Array(32);
    digest.set([0xda, 0xb8, 0x9b, 0xaa, 0x7b, 0x58, 0x57, 0xc0], 24);
    expect(toWireInt(digest)).toBe(15760518052499183552n);
  });

  test("toWireInt respects a subarray's offset", () => {
    const backing = new Uint8Array(40).fill(0xff);
    backing.set([0, 0, 0, 0, 0, 0, 0, 7], 24);
    expect(toWireInt(backing.subarray(0, 32))).toBe(7n);
  });

  test("wireHashToBigInt left-pads short byte strings and keeps ints", () => {
    expect(wireHashToBigInt(Uint8Array.of(1, 0))).toBe(256n);
    expect(wireHashToBigInt(new Uint8Array(0))).toBe(0n);
    expect(wireHashToBigInt(15760518052499183552n)).toBe(15760518052499183552n);
  });

  test("wireHashToBigInt maps negative int64 hashes to their uint64 value", () => {
    expect(wireHashToBigInt(-1n)).toBe(2n ** 64n - 1n);
  });

  test("16-byte xxhash digests use their last 8 bytes", () => {
    const digest = fromHex("00112233445566778899aabbccddeeff");
    expect(wireHashToBigInt(digest)).toBe(0x8899aabbccddeeffn);
  });
});

describe("throughput", () => {
  // Budget from the hot-path requirement: well under 1 ms per 1k tokens. The bound is loose (4x the
  // budget at 128k) so a loaded CI machine does not flake.
  test.each(["sha256_cbor", "xxhash_cbor"] as const)("%s hashes 128k tokens under 32 ms", async (algo) => {
    const hasher = await createBlockHasher(algo, "0");
    const tokens = Uint32Array.from({ length: 131_072 }, (_, i) => (i * 7919) % 152_000);
    hashBlockChain(hasher, tokens, 16, { loraName: "warm-up" });
    let bestMs = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      const startMs = performance.now();
      hashBlockChain(hasher, tokens, 16, { loraName: "adapter", cacheSalt: "salt" });
      bestMs = Math.min(bestMs, performance.now() - startMs);
    }
    expect(bestMs).toBeLessThan(32);
  });
});
