// tcp:// endpoint parsing and formatting.
import { describe, expect, test } from "bun:test";
import { formatTcpEndpoint, parseTcpEndpoint } from "../../../src/kvcache/zmq/endpoint.ts";

describe("parseTcpEndpoint", () => {
  test.each([
    ["tcp://127.0.0.1:5557", { host: "127.0.0.1", port: 5557 }],
    ["tcp://*:5557", { host: "0.0.0.0", port: 5557 }],
    ["tcp://localhost:0", { host: "localhost", port: 0 }],
    ["tcp://[::1]:6000", { host: "::1", port: 6000 }],
    ["tcp://[::]:5557", { host: "::", port: 5557 }],
  ])("parses %s", (endpoint, expected) => {
    expect(parseTcpEndpoint(endpoint)).toEqual(expected);
  });

  test.each([
    "ipc:///tmp/x",
    "tcp://host",
    "tcp://:5557",
    "tcp://h:70000",
    "tcp://h:-1",
    "tcp://::1:5",
    "tcp://h:5x",
  ])("rejects %s", (endpoint) => {
    expect(() => parseTcpEndpoint(endpoint)).toThrow(/endpoint/);
  });

  test("formats IPv6 hosts in brackets", () => {
    expect(formatTcpEndpoint("::1", 5)).toBe("tcp://[::1]:5");
    expect(formatTcpEndpoint("0.0.0.0", 5557)).toBe("tcp://0.0.0.0:5557");
  });
});
