import { beforeAll, describe, expect, test } from "bun:test";
import { decodeKvEventBatch } from "../../../src/kvcache/events/decode.ts";
import { encodeKvEventBatch } from "../../../src/kvcache/events/encode.ts";
import type { BlockStoredEvent, KvEventBatch } from "../../../src/kvcache/events/types.ts";
import { findPython, runPython } from "../../fixtures/hash/python.ts";
import { BIG_HASH, FULL_BATCH, V026_BATCH, V026_PYTHON_LITERAL } from "./sample-batches.ts";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const text = (value: string): string => Buffer.from(value).toString("hex");

const SMALL_STORED: BlockStoredEvent = {
  type: "BlockStored",
  blockHashes: [BIG_HASH],
  parentBlockHash: null,
  tokenIds: [1, 2],
  blockSize: 2,
  loraId: null,
  medium: "GPU",
  loraName: null,
  extraKeys: null,
  groupIdx: 0,
  kvCacheSpecKind: "full_attention",
  kvCacheSpecSlidingWindow: null,
};

const withDefaultsNull: BlockStoredEvent = {
  ...SMALL_STORED,
  groupIdx: null,
  kvCacheSpecKind: null,
};

describe("encodeKvEventBatch, array layout", () => {
  test("writes the positional form byte for byte", () => {
    const bytes = encodeKvEventBatch({ ts: 1.5, events: [SMALL_STORED], dataParallelRank: 0 }, "array");
    // Hand-assembled: [1.5, [[tag, [hash], nil, [1, 2], 2, nil, "GPU", nil, nil, 0, "full_attention"]], 0].
    // extra_keys stays as nil because a non-default field follows it; the sliding window is trailing.
    const expected = [
      "93",
      "cb3ff8000000000000",
      "91",
      "9b",
      `ab${text("BlockStored")}`,
      "91cfdab89baa7b5857c0",
      "c0",
      "920102",
      "02",
      "c0",
      `a3${text("GPU")}`,
      "c0",
      "c0",
      "00",
      `ae${text("full_attention")}`,
      "00",
    ].join("");
    expect(hex(bytes)).toBe(expected);
  });

  test("drops only the trailing run of default-valued fields", () => {
    const bytes = encodeKvEventBatch({ ts: 0.5, events: [withDefaultsNull], dataParallelRank: 0 }, "array");
    const decoded = decodeKvEventBatch(bytes);
    expect(bytes[11]).toBe(0x98); // tag + 7 required fields
    expect(decoded.events[0]).toEqual(withDefaultsNull);
  });

  test("writes BlockRemoved and AllBlocksCleared as short tagged arrays", () => {
    const batch: KvEventBatch = {
      ts: 0.5,
      events: [
        { type: "BlockRemoved", blockHashes: [5n], medium: "GPU", groupIdx: null },
        { type: "AllBlocksCleared" },
      ],
      dataParallelRank: 0,
    };
    const bytes = hex(encodeKvEventBatch(batch, "array"));
    expect(bytes).toContain(`93ac${text("BlockRemoved")}9105a3${text("GPU")}`);
    expect(bytes).toContain(`91b0${text("AllBlocksCleared")}`);
  });
});

describe("encodeKvEventBatch, map layout", () => {
  test("writes type first, then snake_case keys in declaration order, omitting default-valued fields", () => {
    const bytes = hex(encodeKvEventBatch({ ts: 1.5, events: [SMALL_STORED], dataParallelRank: 0 }, "map"));
    const keys = [
      "type",
      "block_hashes",
      "parent_block_hash",
      "token_ids",
      "block_size",
      "lora_id",
      "medium",
    ];
    const positions = [...keys, "lora_name", "group_idx", "kv_cache_spec_kind"].map((key) =>
      bytes.indexOf(text(key)),
    );
    expect(positions.every((position, i) => position > 0 && (i === 0 || position > positions[i - 1]!))).toBe(
      true,
    );
    expect(bytes).not.toContain(text("extra_keys"));
    expect(bytes).not.toContain(text("kv_cache_spec_sliding_window"));
    expect(bytes.slice(0, 24)).toBe("93cb3ff800000000000091" + "8a"); // 1 tag + 9 fields
  });

  test("keeps the outer batch positional", () => {
    const bytes = encodeKvEventBatch(V026_BATCH, "map");
    expect(bytes[0]).toBe(0x93);
  });
});

describe("encodeKvEventBatch, scalars", () => {
  test("writes a uint64 hash ≥ 2^63 as 0xcf, never as a float or int64", () => {
    const bytes = hex(encodeKvEventBatch(V026_BATCH, "map"));
    expect(bytes).toContain("cfdab89baa7b5857c0");
  });

  test("writes a hash between 2^32 and 2^63 as uint64 (0xcf) like msgspec, and small hashes shortest", () => {
    const batch: KvEventBatch = {
      ts: 0.5,
      events: [{ type: "BlockRemoved", blockHashes: [2n ** 40n, 5n, 300n], medium: null, groupIdx: null }],
      dataParallelRank: null,
    };
    expect(hex(encodeKvEventBatch(batch, "array"))).toContain("93cf000001000000000005cd012c");
  });

  test("writes byte hashes as bin", () => {
    const batch: KvEventBatch = {
      ts: 0.5,
      events: [
        { type: "BlockRemoved", blockHashes: [new Uint8Array(32).fill(0xab)], medium: "CPU", groupIdx: null },
      ],
      dataParallelRank: 0,
    };
    expect(hex(encodeKvEventBatch(batch, "map"))).toContain(`c420${"ab".repeat(32)}`);
  });

  test("writes a whole-second ts as float64", () => {
    const bytes = encodeKvEventBatch({ ts: 1_700_000_000, events: [], dataParallelRank: 0 }, "array");
    expect(hex(bytes)).toBe("93cb41d954fc400000009000");
  });

  test("omits a null data_parallel_rank", () => {
    const bytes = encodeKvEventBatch({ ts: 0.5, events: [], dataParallelRank: null }, "array");
    expect(hex(bytes)).toBe("92cb3fe000000000000090");
  });

  test("rejects a non-integer token id", () => {
    const batch: KvEventBatch = {
      ts: 0.5,
      events: [{ ...SMALL_STORED, tokenIds: [1.5] }],
      dataParallelRank: 0,
    };
    expect(() => encodeKvEventBatch(batch, "array")).toThrow(RangeError);
  });
});

describe("round trip", () => {
  test.each(["array", "map"] as const)(
    "decode(encode(batch)) gives the batch back in the %s layout",
    (layout) => {
      for (const batch of [FULL_BATCH, V026_BATCH]) {
        expect(decodeKvEventBatch(encodeKvEventBatch(batch, layout))).toEqual(batch);
      }
    },
  );

  test("a uint64 hash survives exactly", () => {
    const decoded = decodeKvEventBatch(encodeKvEventBatch(V026_BATCH, "array"));
    const event = decoded.events[0] as BlockStoredEvent;
    expect(event.blockHashes[0]).toBe(15760518052499183552n);
  });
});

describe("wire compatibility with python3-msgpack", () => {
  // msgpack-python and msgspec both write the shortest int forms, float64 floats, str8 and bin types, so
  // re-packing what Python decoded must give our bytes back unchanged.
  const CHECK = [
    "import ast, msgpack, sys",
    "data = bytes.fromhex(sys.stdin.readline().strip())",
    "expected = sys.stdin.readline().strip()",
    "obj = msgpack.unpackb(data, raw=False)",
    "assert msgpack.packb(obj) == data, 'not byte-identical after a Python round trip'",
    "assert expected == '' or obj == ast.literal_eval(expected), repr(obj)",
    "print('ok')",
  ].join("\n");
  let python: string;
  beforeAll(() => {
    python = findPython(["msgpack"]);
  });

  test("Python decodes the v0.26.0 map-layout batch to the payload kthena printed", () => {
    const input = `${hex(encodeKvEventBatch(V026_BATCH, "map"))}\n${V026_PYTHON_LITERAL}\n`;
    expect(runPython(python, ["-c", CHECK], input).trim()).toBe("ok");
  });

  test.each(["array", "map"] as const)(
    "every field shape is byte-identical after Python re-packs it (%s)",
    (layout) => {
      const input = `${hex(encodeKvEventBatch(FULL_BATCH, layout))}\n\n`;
      expect(runPython(python, ["-c", CHECK], input).trim()).toBe("ok");
    },
  );
});
