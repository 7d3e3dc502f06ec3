// readJsonBody: media type, declared and actual size caps, empty, non-UTF-8, non-JSON and non-object bodies.
import { describe, expect, test } from "bun:test";
import { isJsonMediaType, readJsonBody } from "../../../src/gateway/openai/body.ts";

const URL = "http://gateway.test/v1/chat/completions";

function post(
  body: BodyInit | null,
  headers: Record<string, string> = { "content-type": "application/json" },
) {
  return new Request(URL, { method: "POST", headers, body, duplex: "half" } as RequestInit);
}

async function failure(request: Request, maxBytes = 1024) {
  const result = await readJsonBody(request, maxBytes);
  if (result.ok) throw new Error("expected a failure");
  const body = (await result.response.json()) as { error: { code: string; message: string; param: unknown } };
  return { status: result.response.status, ...body.error };
}

/** A body stream that records how many bytes the reader pulled before it stopped. */
function countingStream(chunkBytes: number, chunks: number) {
  const state = { pulledBytes: 0, isCancelled: false };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent += 1;
      state.pulledBytes += chunkBytes;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
    },
    cancel() {
      state.isCancelled = true;
    },
  });
  return { stream, state };
}

describe("isJsonMediaType", () => {
  test.each([
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ["Application/JSON;charset=UTF-8", true],
    ["  application/json  ", true],
    ["text/plain", false],
    ["application/jsonl", false],
    ["application/x-www-form-urlencoded", false],
    ["multipart/form-data; boundary=x", false],
    ["", false],
  ] as const)("%p -> %p", (contentType, expected) => {
    expect(isJsonMediaType(contentType)).toBe(expected);
  });

  test("a missing Content-Type is not JSON, as in vLLM's validate_json_request", () => {
    expect(isJsonMediaType(null)).toBe(false);
  });
});

describe("readJsonBody", () => {
  test("returns the parsed object, unknown fields and all", async () => {
    const payload = { model: "m", messages: [], extra: { nested: [1, 2] }, __proto__: { polluted: true } };
    const result = await readJsonBody(post(JSON.stringify(payload)), 1024);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body).toEqual(JSON.parse(JSON.stringify(payload)));
    expect(result.sizeBytes).toBe(new TextEncoder().encode(JSON.stringify(payload)).byteLength);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("accepts a charset parameter and a UTF-8 BOM-free multibyte body", async () => {
    const result = await readJsonBody(
      post(JSON.stringify({ prompt: "héllo ✓" }), { "content-type": "application/json; charset=utf-8" }),
      1024,
    );
    expect(result.ok && result.body.prompt).toBe("héllo ✓");
  });

  test("refuses a missing Content-Type with 415", async () => {
    const error = await failure(post(new TextEncoder().encode("{}"), {}));
    expect(error).toMatchObject({ status: 415, code: "gateway_unsupported_media_type" });
  });

  test("refuses text/plain with 415", async () => {
    const error = await failure(post("{}", { "content-type": "text/plain" }));
    expect(error).toMatchObject({ status: 415, code: "gateway_unsupported_media_type" });
  });

  test("refuses a declared length over the cap before reading anything", async () => {
    const { stream, state } = countingStream(512, 8);
    const request = post(stream, { "content-type": "application/json", "content-length": "4096" });
    const error = await failure(request, 1024);
    expect(error).toMatchObject({ status: 413, code: "gateway_body_too_large" });
    expect(error.message).toContain("1024 bytes");
    expect(state.pulledBytes).toBeLessThanOrEqual(512 * 2);
  });

  test("stops reading an undeclared body as soon as it passes the cap", async () => {
    const { stream, state } = countingStream(256, 1000);
    const error = await failure(post(stream), 1024);
    expect(error).toMatchObject({ status: 413, code: "gateway_body_too_large" });
    // Five chunks cross 1024 bytes; the stream may have pre-pulled one more, never the rest.
    expect(state.pulledBytes).toBeLessThanOrEqual(256 * 7);
    expect(state.isCancelled).toBe(true);
  });

  test("accepts a body of exactly the cap", async () => {
    const text = JSON.stringify({ prompt: "x".repeat(1000) });
    const padded = text + " ".repeat(1024 - text.length);
    const result = await readJsonBody(post(padded), 1024);
    expect(result.ok).toBe(true);
  });

  test.each([
    ["an empty body", "", "the request body is empty"],
    ["truncated JSON", '{"model": "m",', "We could not parse the JSON body of your request: "],
    ["trailing garbage", '{"a": 1} x', "We could not parse the JSON body of your request: "],
    ["a bare word", "hello", "We could not parse the JSON body of your request: "],
  ] as const)("answers %s with 400 gateway_invalid_json", async (_name, body, fragment) => {
    const error = await failure(post(body));
    expect(error).toMatchObject({ status: 400, code: "gateway_invalid_json", param: null });
    expect(error.message).toContain(fragment);
  });

  test("answers invalid UTF-8 with 400 gateway_invalid_json", async () => {
    const error = await failure(post(new Uint8Array([0x22, 0xc3, 0x28, 0x22])));
    expect(error).toMatchObject({ status: 400, code: "gateway_invalid_json" });
    expect(error.message).toContain("not valid UTF-8");
  });

  test("answers a request with no body at all as empty", async () => {
    const error = await failure(post(null));
    expect(error).toMatchObject({ status: 400, code: "gateway_invalid_json" });
  });

  test.each([
    ["[1, 2]", "an array"],
    ["null", "null"],
    ['"text"', "a string"],
    ["42", "a number"],
    ["true", "a boolean"],
  ] as const)("answers the top-level value %s with 400 gateway_invalid_request", async (body, kind) => {
    const error = await failure(post(body));
    expect(error).toMatchObject({ status: 400, code: "gateway_invalid_request", param: null });
    expect(error.message).toBe(`The request body must be a JSON object, but got ${kind} instead.`);
  });

  test("answers a body stream that fails mid-read with 400, not a throw", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const error = await failure(post(stream));
    expect(error).toMatchObject({ status: 400, code: "gateway_invalid_json" });
    expect(error.message).not.toContain("connection reset");
  });
});
