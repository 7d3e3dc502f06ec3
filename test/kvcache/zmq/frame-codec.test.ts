// Frame encoding and the incremental decoder: chunk boundaries anywhere, LONG frames, malformed input.
import { describe, expect, test } from "bun:test";
import { ZmtpError } from "../../../src/kvcache/zmq/errors.ts";
import {
  encodeFrame,
  encodeMessage,
  FLAG_COMMAND,
  FLAG_LONG,
  FLAG_MORE,
  FrameDecoder,
} from "../../../src/kvcache/zmq/frame-codec.ts";
import { hex } from "./frame-values.ts";

interface Decoded {
  readonly flags: number;
  readonly body: string;
}

function decodeChunks(chunks: readonly Uint8Array[], maxFrameBytes = 1 << 24): Decoded[] {
  const decoder = new FrameDecoder(maxFrameBytes);
  const frames: Decoded[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk, (flags, body) => {
      frames.push({ flags, body: hex(body) });
      return true;
    });
  }
  expect(decoder.isIdle).toBe(true);
  return frames;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

const message = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(300).fill(0xab)];
const wire = concat(encodeMessage(message));

describe("encodeFrame / encodeMessage", () => {
  test("uses a 1-byte size up to 255 bytes and the LONG flag with an 8-byte size above", () => {
    expect(hex(encodeFrame(0, new Uint8Array(255))).slice(0, 4)).toBe("00ff");
    expect(hex(encodeFrame(FLAG_MORE, new Uint8Array(256))).slice(0, 18)).toBe("030000000000000100");
  });

  test("sets MORE on every frame but the last", () => {
    // 01 03 010203 | 01 00 | 02 <8-byte 300> ...
    expect(hex(wire.subarray(0, 7))).toBe("01030102030100");
    expect(wire[7]).toBe(FLAG_LONG);
    expect(wire.length).toBe(2 + 3 + 2 + 9 + 300);
  });

  test("keeps bodies of large messages as separate pieces without copying them", () => {
    const big = new Uint8Array(100_000);
    const pieces = encodeMessage([new Uint8Array([7]), big]);
    expect(pieces.length).toBe(4);
    expect(pieces[3]).toBe(big);
  });
});

describe("FrameDecoder", () => {
  const expected: Decoded[] = [
    { flags: FLAG_MORE, body: "010203" },
    { flags: FLAG_MORE, body: "" },
    { flags: FLAG_LONG, body: "ab".repeat(300) },
  ];

  test("decodes several frames from one chunk", () => {
    expect(decodeChunks([wire])).toEqual(expected);
  });

  test("decodes the same frames fed byte by byte", () => {
    expect(decodeChunks([...wire].map((byte) => new Uint8Array([byte])))).toEqual(expected);
  });

  test("decodes the same frames split at every possible position", () => {
    for (let split = 1; split < wire.length; split += 1) {
      expect(decodeChunks([wire.subarray(0, split), wire.subarray(split)])).toEqual(expected);
    }
  });

  test("accepts a LONG frame whose size would fit a short one", () => {
    const frame = new Uint8Array([FLAG_LONG, 0, 0, 0, 0, 0, 0, 0, 2, 9, 9]);
    expect(decodeChunks([frame])).toEqual([{ flags: FLAG_LONG, body: "0909" }]);
  });

  test("delivers command frames with their flag", () => {
    expect(decodeChunks([encodeFrame(FLAG_COMMAND, new Uint8Array([4]))])).toEqual([
      { flags: FLAG_COMMAND, body: "04" },
    ]);
  });

  test("rejects a frame larger than maxFrameBytes as soon as its header arrives", () => {
    const header = new Uint8Array([FLAG_LONG, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const decoder = new FrameDecoder(1024);
    expect(() => decoder.push(header, () => true)).toThrow(ZmtpError);
    expect(() => new FrameDecoder(2).push(new Uint8Array([0, 3]), () => true)).toThrow(/frame larger/);
  });

  test("rejects reserved flag bits", () => {
    expect(() => new FrameDecoder(1024).push(new Uint8Array([0x08, 0]), () => true)).toThrow(/reserved/);
  });

  test("stops decoding when the sink returns false", () => {
    let calls = 0;
    new FrameDecoder(1024).push(wire, () => {
      calls += 1;
      return false;
    });
    expect(calls).toBe(1);
  });

  test("decodes 10,000 frames split into odd-sized chunks in linear time", () => {
    const frames = Array.from({ length: 10_000 }, (_, index) =>
      new Uint8Array(index % 700).fill(index % 251),
    );
    const stream = concat(frames.map((frame) => encodeFrame(0, frame)));
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < stream.length; offset += 1499)
      chunks.push(stream.subarray(offset, offset + 1499));
    const decoder = new FrameDecoder(1 << 20);
    let index = 0;
    for (const chunk of chunks) {
      decoder.push(chunk, (_flags, body) => {
        expect(Buffer.compare(body, frames[index]!)).toBe(0);
        index += 1;
        return true;
      });
    }
    expect(index).toBe(frames.length);
  });
});
