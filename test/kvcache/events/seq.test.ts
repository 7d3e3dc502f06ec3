import { describe, expect, test } from "bun:test";
import { KvEventDecodeError } from "../../../src/kvcache/events/errors.ts";
import { decodeSeq, encodeSeq, REPLAY_END_SEQ } from "../../../src/kvcache/events/seq.ts";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("encodeSeq", () => {
  test.each([
    [0, "0000000000000000"],
    [1, "0000000000000001"],
    [258n, "0000000000000102"],
    [2n ** 63n, "8000000000000000"],
    [2n ** 64n - 1n, "ffffffffffffffff"],
    [-1, "ffffffffffffffff"],
  ])("writes %p as 8 bytes big-endian", (seq, expected) => {
    expect(hex(encodeSeq(seq))).toBe(expected);
  });

  test("rejects values outside 64 bits and unsafe numbers", () => {
    expect(() => encodeSeq(2n ** 64n)).toThrow(RangeError);
    expect(() => encodeSeq(-(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(() => encodeSeq(1.5)).toThrow(RangeError);
    expect(() => encodeSeq(2 ** 60)).toThrow(RangeError);
  });
});

describe("decodeSeq", () => {
  test("reads 8 bytes big-endian unsigned", () => {
    expect(decodeSeq(encodeSeq(123456789n))).toBe(123456789n);
    expect(decodeSeq(Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 1))).toBe(2n ** 63n + 1n);
  });

  test("reads vLLM's end marker (-1 signed) as REPLAY_END_SEQ", () => {
    expect(decodeSeq(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe(REPLAY_END_SEQ);
  });

  test("respects a subarray's offset", () => {
    const backing = Uint8Array.of(9, 9, 0, 0, 0, 0, 0, 0, 0, 7, 9);
    expect(decodeSeq(backing.subarray(2, 10))).toBe(7n);
  });

  test.each([0, 4, 9])("rejects a %i-byte frame", (length) => {
    let caught: unknown;
    try {
      decodeSeq(new Uint8Array(length));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KvEventDecodeError);
    expect((caught as KvEventDecodeError).code).toBe("kvcache_event_seq_invalid");
  });
});
