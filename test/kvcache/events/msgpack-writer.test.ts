import { describe, expect, test } from "bun:test";
import { Unpackr } from "msgpackr";
import { type MsgpackValue, MsgpackWriter } from "../../../src/kvcache/events/msgpack-writer.ts";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function encode(value: MsgpackValue): string {
  const writer = new MsgpackWriter();
  writer.writeValue(value);
  return hex(writer.toBytes());
}

describe("MsgpackWriter", () => {
  // Expected bytes from the msgpack spec's shortest forms, which msgspec and msgpack-python both emit.
  test.each<[string, MsgpackValue, string]>([
    ["positive fixint", 127, "7f"],
    ["uint8", 128, "cc80"],
    ["uint16", 256, "cd0100"],
    ["uint32", 65536, "ce00010000"],
    ["uint64 for 2^32", 2 ** 32, "cf0000000100000000"],
    ["uint64 for a bigint below 2^63", 2n ** 40n, "cf0000010000000000"],
    ["uint64 for a bigint above 2^63", 15760518052499183552n, "cfdab89baa7b5857c0"],
    ["small bigint in fixint", 5n, "05"],
    ["negative fixint", -32, "e0"],
    ["int8", -33, "d0df"],
    ["int16", -129, "d1ff7f"],
    ["int32", -32769, "d2ffff7fff"],
    ["int64", -(2 ** 31) - 1, "d3ffffffff7fffffff"],
    ["nil", null, "c0"],
    ["fixstr", "GPU", "a3475055"],
    ["str8 from 32 bytes", "x".repeat(32), `d920${"78".repeat(32)}`],
    ["str16", "y".repeat(256), `da0100${"79".repeat(256)}`],
    ["UTF-8 str", "é", "a2c3a9"],
    ["bin8", Uint8Array.of(1, 2), "c4020102"],
    ["bin16", new Uint8Array(256), `c50100${"00".repeat(256)}`],
    ["fixarray", [1, [2]], "92019102"],
    ["array16", new Array<number>(16).fill(0), `dc0010${"00".repeat(16)}`],
  ])("writes %s", (_name, value, expected) => {
    expect(encode(value)).toBe(expected);
  });

  test("writes float64 even for whole numbers", () => {
    const writer = new MsgpackWriter();
    writer.writeFloat64(2);
    expect(hex(writer.toBytes())).toBe("cb4000000000000000");
  });

  test("writes map heads in fix and 16-bit forms", () => {
    const writer = new MsgpackWriter();
    writer.writeMapHead(15);
    writer.writeMapHead(16);
    expect(hex(writer.toBytes())).toBe("8fde0010");
  });

  test("rejects ints outside 64 bits and non-integer numbers", () => {
    const writer = new MsgpackWriter();
    expect(() => writer.writeInt(2n ** 64n)).toThrow(RangeError);
    expect(() => writer.writeInt(-(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(() => writer.writeInt(0.5)).toThrow(RangeError);
  });

  test("grows its buffer and stays decodable for large values", () => {
    const tokens = Array.from({ length: 50_000 }, (_, i) => i * 97);
    const value: MsgpackValue = [tokens, "z".repeat(70_000), new Uint8Array(70_000).fill(3)];
    const writer = new MsgpackWriter();
    writer.writeValue(value);
    const decoded = new Unpackr({ useRecords: false }).unpack(writer.toBytes()) as unknown[];
    expect(decoded[0]).toEqual(tokens);
    expect(decoded[1]).toBe("z".repeat(70_000));
    expect(new Uint8Array(decoded[2] as Uint8Array)).toEqual(new Uint8Array(70_000).fill(3));
  });
});
