// Response headers toward the client.
import { describe, expect, test } from "bun:test";
import { isEventStream, toClientHeaders } from "../../../src/gateway/proxy/headers.ts";

describe("toClientHeaders", () => {
  test("drops hop-by-hop and framing headers, keeps the rest, adds the llmux headers", () => {
    const upstream = new Headers({
      "content-type": "text/event-stream",
      "content-length": "10",
      "content-encoding": "gzip",
      "transfer-encoding": "chunked",
      connection: "keep-alive",
      "keep-alive": "timeout=5",
      date: "Sat, 21 Nov 2026 20:43:23 GMT",
      server: "uvicorn",
      "x-request-id": "engine-side-id",
      "x-custom": "kept",
    });
    const headers = toClientHeaders(upstream, "engine-1", "req-9", true);
    expect(headers).toEqual({
      "content-type": "text/event-stream",
      "x-custom": "kept",
      "x-request-id": "req-9",
      "x-llmux-endpoint": "engine-1",
      "cache-control": "no-cache",
    });
  });

  test("adds no cache-control to a non-SSE response", () => {
    expect(
      toClientHeaders(new Headers({ "content-type": "application/json" }), "e", "r", false),
    ).not.toHaveProperty("cache-control");
  });
});

describe("isEventStream", () => {
  test.each([
    ["text/event-stream", true],
    ["text/event-stream; charset=utf-8", true],
    ["Text/Event-Stream", true],
    ["application/json", false],
    [null, false],
  ])("%p → %p", (contentType, expected) => {
    const headers = new Headers(contentType === null ? {} : { "content-type": contentType });
    expect(isEventStream(headers)).toBe(expected);
  });
});
