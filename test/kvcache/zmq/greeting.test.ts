// The 64-byte ZMTP greeting: our bytes, and what we accept or reject from peers.
import { describe, expect, test } from "bun:test";
import { checkGreetingPrefix, encodeGreeting, parseGreeting } from "../../../src/kvcache/zmq/greeting.ts";
import { hex } from "./frame-values.ts";

describe("greeting", () => {
  test("encodes signature, version 3.1, NULL mechanism, as-server 0 and zero filler", () => {
    const greeting = encodeGreeting();
    expect(greeting.length).toBe(64);
    expect(hex(greeting.subarray(0, 12))).toBe("ff00000000000000007f0301");
    expect(new TextDecoder().decode(greeting.subarray(12, 16))).toBe("NULL");
    expect(greeting.subarray(16).every((byte) => byte === 0)).toBe(true);
  });

  test("accepts a ZMTP 3.0 peer and reports its minor version", () => {
    const greeting = encodeGreeting();
    greeting[11] = 0;
    expect(parseGreeting(greeting)).toEqual({
      majorVersion: 3,
      minorVersion: 0,
      mechanism: "NULL",
      isServer: false,
    });
  });

  test("rejects garbage at the first byte, before the greeting is complete", () => {
    expect(() => checkGreetingPrefix(new TextEncoder().encode("GET "), 4)).toThrow(/signature/);
  });

  test("rejects ZMTP 2.0 peers and a bad signature end", () => {
    const old = encodeGreeting();
    old[10] = 1;
    expect(() => checkGreetingPrefix(old, 11)).toThrow(/major version/);
    const broken = encodeGreeting();
    broken[9] = 0x01;
    expect(() => checkGreetingPrefix(broken, 10)).toThrow(/0x7F/);
  });

  test("rejects mechanisms other than NULL", () => {
    const curve = encodeGreeting();
    curve.set(new TextEncoder().encode("CURVE"), 12);
    expect(() => parseGreeting(curve)).toThrow(/CURVE/);
  });
});
