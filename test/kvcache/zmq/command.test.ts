// Command bodies: READY metadata, PONG, malformed commands.
import { describe, expect, test } from "bun:test";
import {
  encodeCommandFrame,
  encodePongFrame,
  encodeProperties,
  encodeReadyFrame,
  parseCommand,
  parseProperties,
} from "../../../src/kvcache/zmq/command.ts";
import { hex } from "./frame-values.ts";

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("commands", () => {
  test("READY carries Socket-Type and Identity as length-prefixed properties", () => {
    const frame = encodeReadyFrame("DEALER", ascii("id"));
    // 04 = COMMAND flag, then size, then 05 "READY" 0b "Socket-Type" 00000006 "DEALER" 08 "Identity" 00000002 "id"
    expect(frame[0]).toBe(0x04);
    const command = parseCommand(frame.subarray(2));
    expect(command.name).toBe("READY");
    const properties = parseProperties(command.data);
    expect(new TextDecoder().decode(properties.get("socket-type"))).toBe("DEALER");
    expect(new TextDecoder().decode(properties.get("identity"))).toBe("id");
  });

  test("property names are case-insensitive", () => {
    const data = encodeProperties([["SOCKET-TYPE", ascii("PUB")]]);
    expect(new TextDecoder().decode(parseProperties(data).get("socket-type"))).toBe("PUB");
  });

  test("rejects truncated properties and names", () => {
    const data = encodeProperties([["Socket-Type", ascii("PUB")]]);
    expect(() => parseProperties(data.subarray(0, data.length - 1))).toThrow(/truncated/);
    expect(() => parseCommand(new Uint8Array([9, 65]))).toThrow(/command name/);
    expect(() => parseCommand(new Uint8Array(0))).toThrow(/command name/);
  });

  test("PONG echoes the PING context without the TTL", () => {
    const pong = encodePongFrame(new Uint8Array([0, 50, 1, 2]));
    expect(hex(pong)).toBe(hex(encodeCommandFrame("PONG", new Uint8Array([1, 2]))));
    expect(() => encodePongFrame(new Uint8Array([0]))).toThrow(/PING/);
  });
});
