// Request ids: a safe client x-request-id is kept, anything else is replaced; every response carries it.
import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import {
  createRequestIdMiddleware,
  MAX_REQUEST_ID_CHARS,
  type RequestIdVariables,
  resolveRequestId,
} from "../../../src/gateway/middleware/request-id.ts";

const fixedId = () => "new-id";

describe("resolveRequestId", () => {
  test.each([
    ["abc-123", "abc-123"],
    ["req_01HZX:9f/2=", "req_01HZX:9f/2="],
    ["x".repeat(MAX_REQUEST_ID_CHARS), "x".repeat(MAX_REQUEST_ID_CHARS)],
  ])("keeps %p", (incoming, expected) => {
    expect(resolveRequestId(incoming, fixedId)).toBe(expected);
  });

  test.each([
    ["absent", undefined],
    ["null", null],
    ["empty", ""],
    ["too long", "x".repeat(MAX_REQUEST_ID_CHARS + 1)],
    ["with a space", "a b"],
    ["with a newline", "a\nforged-log-line"],
    ["with a control character", "a\u0007b"],
    ["non-ASCII", "réq"],
  ])("replaces an id that is %s", (_name, incoming) => {
    expect(resolveRequestId(incoming, fixedId)).toBe("new-id");
  });

  test("generates a UUID by default", () => {
    expect(resolveRequestId(undefined)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(resolveRequestId(undefined)).not.toBe(resolveRequestId(undefined));
  });
});

describe("createRequestIdMiddleware", () => {
  function app() {
    const hono = new Hono<{ Variables: RequestIdVariables }>();
    hono.use(createRequestIdMiddleware(fixedId));
    hono.get("/echo", (c) => c.text(c.var.requestId));
    hono.get("/own", (c) => c.text("x", 200, { "x-request-id": "set-by-handler" }));
    return hono;
  }

  test("exposes the client's id to handlers and echoes it", async () => {
    const response = await app().request("/echo", { headers: { "x-request-id": "client-1" } });
    expect(await response.text()).toBe("client-1");
    expect(response.headers.get("x-request-id")).toBe("client-1");
  });

  test("replaces an unsafe id", async () => {
    const response = await app().request("/echo", { headers: { "x-request-id": "a b" } });
    expect(await response.text()).toBe("new-id");
    expect(response.headers.get("x-request-id")).toBe("new-id");
  });

  test("adds the id to responses that did not set it, including 404s", async () => {
    expect((await app().request("/missing")).headers.get("x-request-id")).toBe("new-id");
  });

  test("leaves an id the handler already set", async () => {
    expect((await app().request("/own")).headers.get("x-request-id")).toBe("set-by-handler");
  });
});
