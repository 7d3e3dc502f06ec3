// Side-channel messages, transfer time and payload of the sim's NIXL stand-in.
import { describe, expect, test } from "bun:test";
import { pack } from "msgpackr";
import {
  decodeSideChannelReply,
  decodeSideChannelRequest,
  encodeSideChannelMessage,
  PAYLOAD_BYTES_PER_BLOCK,
  transferDurationMs,
  transferPayload,
} from "../../../src/sim/pd/side-channel.ts";

describe("side-channel messages", () => {
  test("a pull request round-trips as a plain msgpack map", () => {
    const request = {
      t: "pull",
      xid: 7,
      engineId: "e",
      requestId: "r",
      blockIds: [[1, 2], [3]],
      numTokens: 12,
    } as const;
    const bytes = encodeSideChannelMessage(request);
    // A msgpack map16 header with 6 entries: plain msgpack, no msgpackr record extension.
    expect([...bytes.subarray(0, 3)]).toEqual([0xde, 0x00, 0x06]);
    expect(decodeSideChannelRequest(bytes)).toEqual(request);
  });

  test("a done reply round-trips", () => {
    const reply = {
      t: "done",
      xid: 1,
      requestId: "r",
      blockIds: [[4]],
      numTokens: 4,
      payloadBytes: 64,
    } as const;
    expect(decodeSideChannelReply(encodeSideChannelMessage(reply))).toEqual(reply);
  });

  test("rejects bytes that are not msgpack and messages of the wrong shape", () => {
    expect(() => decodeSideChannelRequest(new Uint8Array([0x92, 0x01]))).toThrow("not msgpack");
    expect(() => decodeSideChannelRequest(pack({ t: "pull", xid: 1 }))).toThrow();
    expect(() => decodeSideChannelReply(pack({ t: "meta", xid: -1, engineId: "e", tpSize: 1 }))).toThrow();
  });
});

describe("transferDurationMs", () => {
  test.each([
    // setup 5 ms + 1000 tokens × 1 MB at 2 GB/s = 500 ms → 505 ms.
    [{ numTokens: 1000, kvBytesPerToken: 1_000_000, transferSetupMs: 5, transferGBps: 2, timeScale: 1 }, 505],
    // the same at timeScale 10.
    [
      { numTokens: 1000, kvBytesPerToken: 1_000_000, transferSetupMs: 5, transferGBps: 2, timeScale: 10 },
      50.5,
    ],
    // no tokens: setup only.
    [{ numTokens: 0, kvBytesPerToken: 131_072, transferSetupMs: 3, transferGBps: 25, timeScale: 1 }, 3],
  ])("%o → %d ms", (args, expected) => {
    expect(transferDurationMs(args)).toBeCloseTo(expected, 9);
  });
});

describe("transferPayload", () => {
  test("is PAYLOAD_BYTES_PER_BLOCK bytes per block, filled from the block id", () => {
    const payload = transferPayload([[1, 2], [300]]);
    expect(payload.length).toBe(3 * PAYLOAD_BYTES_PER_BLOCK);
    expect(payload[0]).toBe(1);
    expect(payload[PAYLOAD_BYTES_PER_BLOCK]).toBe(2);
    expect(payload[2 * PAYLOAD_BYTES_PER_BLOCK]).toBe(300 & 0xff);
  });
});
