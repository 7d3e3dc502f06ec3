// Transport options: defaults, and invalid values rejected rather than replaced.
import { describe, expect, test } from "bun:test";
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_SEND_HIGH_WATER_MARK,
  resolveBindOptions,
  resolveConnectOptions,
} from "../../../src/kvcache/zmq/options.ts";

describe("transport options", () => {
  test("fill in defaults", () => {
    const options = resolveConnectOptions();
    expect(options.maxFrameBytes).toBe(DEFAULT_MAX_FRAME_BYTES);
    expect(options.sendHighWaterMark).toBe(DEFAULT_SEND_HIGH_WATER_MARK);
    expect(options.reconnectInitialMs).toBe(100);
    expect(options.reconnectMaxMs).toBe(5000);
    expect(options.identity).toBeUndefined();
  });

  test.each([
    [{ sendHighWaterMark: 0 }, /sendHighWaterMark/],
    [{ maxFrameBytes: 1.5 }, /maxFrameBytes/],
    [{ handshakeTimeoutMs: -1 }, /handshakeTimeoutMs/],
  ])("rejects bind option %o", (options, message) => {
    expect(() => resolveBindOptions(options)).toThrow(message);
  });

  test("rejects a max backoff below the initial one and invalid identities", () => {
    expect(() => resolveConnectOptions({ reconnectInitialMs: 500, reconnectMaxMs: 100 })).toThrow(
      /reconnectMaxMs/,
    );
    expect(() => resolveConnectOptions({ identity: "" })).toThrow(/identity/);
    expect(() => resolveConnectOptions({ identity: new Uint8Array(256).fill(1) })).toThrow(/identity/);
    expect(resolveConnectOptions({ identity: "abc" }).identity).toEqual(new TextEncoder().encode("abc"));
  });

  test("heartbeats are off by default; the timeout defaults to three intervals and needs an interval", () => {
    expect(resolveConnectOptions().heartbeat).toBeUndefined();
    expect(resolveConnectOptions({ heartbeatIntervalMs: 100 }).heartbeat).toEqual({
      intervalMs: 100,
      timeoutMs: 300,
    });
    expect(() => resolveConnectOptions({ heartbeatTimeoutMs: 100 })).toThrow(/heartbeatIntervalMs/);
    expect(() => resolveConnectOptions({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 50 })).toThrow(/>=/);
  });
});
