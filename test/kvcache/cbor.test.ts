import { describe, expect, test } from "bun:test";
import { Encoder } from "cbor-x";
import { type CborValue, CborWriter, encodeCbor } from "../../src/kvcache/cbor.ts";
import { fromJsonCbor, hex, loadReferenceVectors } from "../fixtures/hash/reference-vectors.ts";

describe("encodeCbor", () => {
  // Expected bytes computed by hand from RFC 8949 §3 (head = major << 5 | additional info).
  const cases: [string, CborValue, string][] = [
    ["0 inline", 0, "00"],
    ["23 inline", 23, "17"],
    ["24 in one byte", 24, "1818"],
    ["255 in one byte", 255, "18ff"],
    ["256 in two bytes", 256, "190100"],
    ["65535 in two bytes", 65535, "19ffff"],
    ["65536 in four bytes", 65536, "1a00010000"],
    ["2^32-1 in four bytes", 0xffff_ffff, "1affffffff"],
    ["2^32 in eight bytes", 0x1_0000_0000, "1b0000000100000000"],
    ["2^53-1 in eight bytes", Number.MAX_SAFE_INTEGER, "1b001fffffffffffff"],
    ["-1 as major 1", -1, "20"],
    ["-24 inline", -24, "37"],
    ["-25 in one byte", -25, "3818"],
    ["-2^32-1 in eight bytes", -0x1_0000_0001, "3b0000000100000000"],
    ["small bigint in shortest form", 5n, "05"],
    ["bigint 2^64-1", 0xffff_ffff_ffff_ffffn, "1bffffffffffffffff"],
    ["bigint -2^64", -(2n ** 64n), "3bffffffffffffffff"],
    ['seed text "0"', "0", "6130"],
    ["empty text", "", "60"],
    ["UTF-8 text", "é", "62c3a9"],
    ["empty bytes", new Uint8Array(0), "40"],
    ["bytes", Uint8Array.of(1, 2), "420102"],
    ["null", null, "f6"],
    ["empty array", [], "80"],
    ["multimodal tuple", ["img", -3], "8263696d6722"],
    ["nested arrays", [1, [2, null]], "82018202f6"],
  ];
  test.each(cases)("encodes %s", (_name, value, expected) => {
    expect(hex(encodeCbor(value))).toBe(expected);
  });

  test("rejects non-integer numbers and ints beyond 64 bits", () => {
    expect(() => encodeCbor(1.5)).toThrow(RangeError);
    expect(() => encodeCbor(Number.NaN)).toThrow(RangeError);
    expect(() => encodeCbor(2 ** 53)).toThrow(RangeError);
    expect(() => encodeCbor(2n ** 64n)).toThrow(RangeError);
    expect(() => encodeCbor(-(2n ** 64n) - 1n)).toThrow(RangeError);
  });
});

describe("CborWriter", () => {
  test("reset reuses the buffer and gives identical bytes", () => {
    const writer = new CborWriter();
    writer.writeValue([1, "a", null]);
    const first = hex(writer.view());
    writer.reset();
    writer.writeValue([1, "a", null]);
    expect(hex(writer.view())).toBe(first);
  });

  test("grows past its initial capacity for long texts, byte strings and token runs", () => {
    const text = "é".repeat(5000);
    const bytes = new Uint8Array(40_000).fill(7);
    const tokens = Array.from({ length: 20_000 }, (_, i) => i * 977);
    const writer = new CborWriter();
    writer.writeText(text);
    writer.writeBytes(bytes);
    writer.writeArrayHead(tokens.length);
    writer.writeIntRun(tokens, 0, tokens.length);
    const expected = [encodeCbor(text), encodeCbor(bytes), encodeCbor(tokens)].map(hex).join("");
    expect(hex(writer.view())).toBe(expected);
  });

  test("writeIntRun matches writeInt for every int width, including 2^32 and negatives", () => {
    const values = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -70000];
    const run = new CborWriter();
    run.writeIntRun(values, 1, values.length);
    const single = new CborWriter();
    for (const value of values.slice(1)) single.writeInt(value);
    expect(hex(run.view())).toBe(hex(single.view()));
  });

  test("writeIntRun rejects a non-integer token", () => {
    const writer = new CborWriter();
    expect(() => writer.writeIntRun([1, 2.5], 0, 2)).toThrow(RangeError);
  });

  test("Uint32Array tokens encode like number arrays", () => {
    const tokens = [1, 300, 70000, 4_000_000_000];
    const writer = new CborWriter();
    writer.writeArrayHead(tokens.length);
    writer.writeIntRun(Uint32Array.from(tokens), 0, tokens.length);
    expect(hex(writer.view())).toBe(hex(encodeCbor(tokens)));
  });
});

describe("cross-check with independent encoders", () => {
  test("matches Python cbor2 (canonical=True) on every reference value", () => {
    const vectors = loadReferenceVectors();
    expect(vectors.cbor.length).toBeGreaterThan(40);
    for (const vector of vectors.cbor) {
      expect(hex(encodeCbor(fromJsonCbor(vector.value)))).toBe(vector.cbor);
    }
  });

  test("matches cbor-x where cbor-x is canonical", () => {
    // cbor-x writes numbers beyond ±2^32 as floats and bigints always in 8 bytes, so those are left out.
    const encoder = new Encoder({ useRecords: false, tagUint8Array: false });
    const values: CborValue[] = [
      0,
      23,
      24,
      255,
      256,
      65535,
      65536,
      0xffff_ffff,
      -1,
      -25,
      -257,
      -65537,
      -0x1_0000_0000,
      2n ** 63n,
      2n ** 64n - 1n,
      "",
      "a",
      "x".repeat(24),
      "x".repeat(300),
      "x".repeat(70_000),
      "héllo",
      "🦙",
      new Uint8Array(30),
      new Uint8Array(300),
      null,
      [],
      [1, [2, null]],
      new Array<number>(24).fill(0),
      new Array<number>(70_000).fill(1),
      [Uint8Array.of(9), Array.from({ length: 16 }, (_, i) => i + 1), ["lora", ["img", -3]]],
    ];
    for (const value of values) {
      expect(hex(encodeCbor(value))).toBe(hex(encoder.encode(value)));
    }
  });
});
