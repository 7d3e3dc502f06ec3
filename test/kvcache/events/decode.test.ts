import { describe, expect, test } from "bun:test";
import { Packr } from "msgpackr";
import { decodeKvEventBatch } from "../../../src/kvcache/events/decode.ts";
import { KvEventDecodeError } from "../../../src/kvcache/events/errors.ts";
import type { BlockRemovedEvent, BlockStoredEvent } from "../../../src/kvcache/events/types.ts";
import { findPython, runPython } from "../../fixtures/hash/python.ts";
import { BIG_HASH, V026_BATCH, V026_PYTHON_LITERAL, V026_TOKENS } from "./sample-batches.ts";

// Payloads are built with msgpackr (plain objects → maps in insertion order), not with our encoder.
const packr = new Packr({ useRecords: false });
const pack = (value: unknown): Uint8Array => packr.pack(value);

const v026Event = {
  type: "BlockStored",
  block_hashes: [BIG_HASH],
  parent_block_hash: null,
  token_ids: V026_TOKENS,
  block_size: 16,
  lora_id: null,
  medium: "GPU",
  lora_name: null,
  extra_keys: [null],
  group_idx: 0,
  kv_cache_spec_kind: "full_attention",
};

const storedDefaults = {
  parentBlockHash: null,
  loraId: null,
  medium: null,
  loraName: null,
  extraKeys: null,
  groupIdx: null,
  kvCacheSpecKind: null,
  kvCacheSpecSlidingWindow: null,
};

function expectDecodeError(bytes: Uint8Array, path: string): KvEventDecodeError {
  try {
    decodeKvEventBatch(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(KvEventDecodeError);
    const decodeError = error as KvEventDecodeError;
    expect(decodeError.code).toBe("kvcache_event_malformed");
    expect(decodeError.path).toBe(path);
    return decodeError;
  }
  throw new Error("expected a KvEventDecodeError");
}

describe("decodeKvEventBatch: batch shapes", () => {
  test("v0.26.0: map events inside a positional batch", () => {
    const bytes = pack([1789095808.8378847, [v026Event], 0]);
    expect(decodeKvEventBatch(bytes)).toEqual(V026_BATCH);
  });

  test("v0.26.0 bytes produced by python3-msgpack from kthena's printed payload", () => {
    const python = findPython(["msgpack"]);
    const script = "import ast, msgpack, sys; print(msgpack.packb(ast.literal_eval(sys.stdin.read())).hex())";
    const bytes = Buffer.from(runPython(python, ["-c", script], V026_PYTHON_LITERAL).trim(), "hex");
    expect(decodeKvEventBatch(bytes)).toEqual(V026_BATCH);
  });

  test("a map-form outer batch", () => {
    const bytes = pack({ ts: 12.25, events: [v026Event], data_parallel_rank: 2 });
    expect(decodeKvEventBatch(bytes)).toEqual({ ...V026_BATCH, ts: 12.25, dataParallelRank: 2 });
  });

  test("a map-form outer batch without the rank", () => {
    expect(decodeKvEventBatch(pack({ ts: 1.5, events: [] })).dataParallelRank).toBeNull();
  });

  test("an old [ts, events] batch has a null rank", () => {
    const decoded = decodeKvEventBatch(pack([1.5, [["AllBlocksCleared"]]]));
    expect(decoded).toEqual({ ts: 1.5, events: [{ type: "AllBlocksCleared" }], dataParallelRank: null });
  });

  test("an integer ts is accepted", () => {
    expect(decodeKvEventBatch(pack([1_700_000_000, [], 0])).ts).toBe(1_700_000_000);
  });
});

describe("decodeKvEventBatch: events", () => {
  test("a pre-medium BlockStored array [tag, hashes, parent, tokens, block_size, lora_id]", () => {
    const bytes = pack([1.5, [["BlockStored", [BIG_HASH], 42, [1, 2], 2, null]], 0]);
    expect(decodeKvEventBatch(bytes).events[0]).toEqual({
      type: "BlockStored",
      ...storedDefaults,
      blockHashes: [BIG_HASH],
      parentBlockHash: 42n,
      tokenIds: [1, 2],
      blockSize: 2,
    });
  });

  test("a full twelve-position BlockStored array with extra keys", () => {
    const keys = [["lora", ["img", -3], "salt"], null];
    const event = ["BlockStored", [1, 2], null, [1, 2], 1, 3, "GPU", "lora", keys, 0, "sliding_window", 128];
    expect(decodeKvEventBatch(pack([1.5, [event], 0])).events[0]).toEqual({
      type: "BlockStored",
      blockHashes: [1n, 2n],
      parentBlockHash: null,
      tokenIds: [1, 2],
      blockSize: 1,
      loraId: 3,
      medium: "GPU",
      loraName: "lora",
      extraKeys: [["lora", ["img", -3], "salt"], null],
      groupIdx: 0,
      kvCacheSpecKind: "sliding_window",
      kvCacheSpecSlidingWindow: 128,
    });
  });

  test("unknown trailing positions and unknown map keys are ignored", () => {
    const array = ["BlockRemoved", [7], "GPU", 1, "future-field", { nested: true }];
    const map = { type: "BlockRemoved", block_hashes: [7], medium: "GPU", group_idx: 1, block_offsets: [0] };
    const expected: BlockRemovedEvent = {
      type: "BlockRemoved",
      blockHashes: [7n],
      medium: "GPU",
      groupIdx: 1,
    };
    expect(decodeKvEventBatch(pack([1.5, [array, map], 0])).events).toEqual([expected, expected]);
  });

  test("BlockRemoved with only hashes has null medium and group", () => {
    const decoded = decodeKvEventBatch(pack([1.5, [["BlockRemoved", [7]]], 0]));
    expect(decoded.events[0]).toEqual({
      type: "BlockRemoved",
      blockHashes: [7n],
      medium: null,
      groupIdx: null,
    });
  });

  test("an unknown event tag is skipped and reported", () => {
    const seen: string[] = [];
    const bytes = pack([1.5, [["BlockMoved", [1]], { type: "Future" }, ["AllBlocksCleared"]], 0]);
    const decoded = decodeKvEventBatch(bytes, { onUnknownEvent: (tag) => seen.push(tag) });
    expect(decoded.events).toEqual([{ type: "AllBlocksCleared" }]);
    expect(seen).toEqual(["BlockMoved", "Future"]);
  });

  test("CPU-offload events keep byte hashes as plain Uint8Array copies", () => {
    const digest = new Uint8Array(32).fill(0xab);
    const event = { type: "BlockStored", block_hashes: [digest], parent_block_hash: null, token_ids: [] };
    const bytes = pack([
      1.5,
      [{ ...event, block_size: 0, lora_id: null, medium: "CPU", lora_name: null }],
      0,
    ]);
    const stored = decodeKvEventBatch(bytes).events[0] as BlockStoredEvent;
    const hash = stored.blockHashes[0] as Uint8Array;
    expect(hash.constructor).toBe(Uint8Array);
    expect(hash).toEqual(digest);
    bytes.fill(0);
    expect(hash[0]).toBe(0xab);
  });

  test("every int-valued hash becomes a bigint, small ones included", () => {
    const bytes = pack([1.5, [["BlockRemoved", [0, 5, 2 ** 40, BIG_HASH]]], 0]);
    const removed = decodeKvEventBatch(bytes).events[0] as BlockRemovedEvent;
    expect(removed.blockHashes).toEqual([0n, 5n, 2n ** 40n, BIG_HASH]);
  });
});

describe("decodeKvEventBatch: garbage", () => {
  test.each([
    ["truncated", Uint8Array.of(0x92, 0x01)],
    ["empty", new Uint8Array(0)],
    ["followed by trailing bytes", Uint8Array.of(0x90, 0x01)],
    ["an unknown extension", Uint8Array.of(0xd4, 0x05, 0x01)],
  ])("msgpack that is %s raises with the msgpack error as cause", (_name, bytes) => {
    const error = expectDecodeError(bytes, "$");
    expect(error.cause).toBeInstanceOf(Error);
  });

  test("the reserved 0xc1 byte is rejected", () => {
    expectDecodeError(Uint8Array.of(0xc1), "$");
  });

  test.each([
    ["a scalar batch", pack(42), "$"],
    ["events that are not an array", pack([1.5, "x", 0]), "$.events"],
    ["a non-numeric ts", pack(["now", [], 0]), "$.ts"],
    ["an event that is a string", pack([1.5, ["BlockStored"], 0]), "$.events[0]"],
    ["an event without a tag", pack([1.5, [{ block_hashes: [] }], 0]), "$.events[0].type"],
    ["a missing block_hashes", pack([1.5, [["BlockStored"]], 0]), "$.events[0].block_hashes"],
    ["a float hash", pack([1.5, [["BlockRemoved", [1.5]]], 0]), "$.events[0].block_hashes[0]"],
    ["a string token", pack([1.5, [["BlockStored", [], null, ["a"], 16]], 0]), "$.events[0].token_ids[0]"],
    ["a missing block_size", pack([1.5, [["BlockStored", [], null, []]], 0]), "$.events[0].block_size"],
    ["a numeric medium", pack([1.5, [["BlockRemoved", [], 3]], 0]), "$.events[0].medium"],
    [
      "a map extra key",
      pack([1.5, [["BlockStored", [], null, [], 1, null, null, null, [[{}]]]], 0]),
      "$.events[0].extra_keys[0][0]",
    ],
    ["a float rank", pack([1.5, [], 0.5]), "$.data_parallel_rank"],
  ])("%s is rejected at its path", (_name, bytes, path) => {
    expectDecodeError(bytes, path);
  });
});
