// Malformed requests through the front door (request id, auth, body, schema, model): each kind gets its
// catalogued 4xx with OpenAI's error shape {"error":{"message","type","param","code"}} and the request id.
import { describe, expect, test } from "bun:test";
import { createTestApp, GENERATED_REQUEST_ID, jsonPost } from "./gateway-test-app.ts";

interface MalformedCase {
  readonly name: string;
  readonly path: string;
  readonly init: RequestInit;
  readonly status: number;
  readonly code: string;
  readonly param: string | null;
}

const CHAT = "/v1/chat/completions";
const COMPLETIONS = "/v1/completions";
const USER = [{ role: "user", content: "hi" }];
const MAX_BODY_BYTES = 4096;

function chat(extra: Record<string, unknown>): RequestInit {
  return jsonPost({ model: "llama", messages: USER, ...extra });
}

function completion(extra: Record<string, unknown>): RequestInit {
  return jsonPost({ model: "llama", prompt: "hi", ...extra });
}

function invalid(name: string, path: string, init: RequestInit, param: string | null): MalformedCase {
  return { name, path, init, status: 400, code: "gateway_invalid_request", param };
}

function badJson(name: string, body: BodyInit): MalformedCase {
  return {
    name,
    path: CHAT,
    init: { method: "POST", headers: { "content-type": "application/json" }, body },
    status: 400,
    code: "gateway_invalid_json",
    param: null,
  };
}

/** The body is bytes so fetch adds no Content-Type of its own (a string body would get text/plain). */
function mediaType(name: string, headers: Record<string, string>): MalformedCase {
  return {
    name,
    path: CHAT,
    init: { method: "POST", headers, body: new TextEncoder().encode(JSON.stringify({ messages: USER })) },
    status: 415,
    code: "gateway_unsupported_media_type",
    param: null,
  };
}

function streamOf(totalBytes: number): ReadableStream<Uint8Array> {
  let sentBytes = 0;
  return new ReadableStream({
    pull(controller) {
      if (sentBytes >= totalBytes) return controller.close();
      controller.enqueue(new Uint8Array(1024).fill(0x20));
      sentBytes += 1024;
    },
  });
}

const CASES: readonly MalformedCase[] = [
  badJson("truncated JSON", '{"model": "llama", "messages": ['),
  badJson("JSON with unquoted keys", "{model: llama}"),
  badJson("empty body", ""),
  badJson("invalid UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
  invalid("JSON array body", CHAT, jsonPost("[1, 2]"), null),
  invalid("JSON string body", CHAT, jsonPost('"hello"'), null),
  invalid("JSON null body", CHAT, jsonPost("null"), null),
  mediaType("text/plain content type", { "content-type": "text/plain" }),
  mediaType("form-encoded content type", { "content-type": "application/x-www-form-urlencoded" }),
  mediaType("missing content type", {}),
  {
    name: "oversized body with declared length",
    path: CHAT,
    init: jsonPost({ messages: [{ role: "user", content: "x".repeat(MAX_BODY_BYTES) }] }),
    status: 413,
    code: "gateway_body_too_large",
    param: null,
  },
  {
    name: "oversized body without declared length",
    path: CHAT,
    init: {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: streamOf(MAX_BODY_BYTES * 4),
      duplex: "half",
    } as RequestInit,
    status: 413,
    code: "gateway_body_too_large",
    param: null,
  },
  invalid("model not a string", CHAT, chat({ model: 42 }), "model"),
  invalid("messages missing", CHAT, jsonPost({ model: "llama" }), "messages"),
  invalid("messages not an array", CHAT, chat({ messages: "hi" }), "messages"),
  invalid("messages empty", CHAT, chat({ messages: [] }), "messages"),
  invalid("message without role", CHAT, chat({ messages: [{ content: "hi" }] }), "messages[0].role"),
  invalid(
    "role not a string",
    CHAT,
    chat({ messages: [...USER, { role: 7, content: "x" }] }),
    "messages[1].role",
  ),
  invalid(
    "content of a wrong type",
    CHAT,
    chat({ messages: [{ role: "user", content: 5 }] }),
    "messages[0].content",
  ),
  invalid("stream not a boolean", CHAT, chat({ stream: "true" }), "stream"),
  invalid(
    "stream_options without stream",
    CHAT,
    chat({ stream_options: { include_usage: true } }),
    "stream_options",
  ),
  invalid(
    "stream_options not an object",
    CHAT,
    chat({ stream: true, stream_options: "on" }),
    "stream_options",
  ),
  invalid(
    "include_usage not a boolean",
    CHAT,
    chat({ stream: true, stream_options: { include_usage: 1 } }),
    "stream_options.include_usage",
  ),
  invalid("n = 0", CHAT, chat({ n: 0 }), "n"),
  invalid('n = "2"', CHAT, chat({ n: "2" }), "n"),
  invalid("max_tokens = -1", CHAT, chat({ max_tokens: -1 }), "max_tokens"),
  invalid("max_tokens = 1.5", CHAT, chat({ max_tokens: 1.5 }), "max_tokens"),
  invalid("max_completion_tokens = 0", CHAT, chat({ max_completion_tokens: 0 }), "max_completion_tokens"),
  invalid("temperature negative", CHAT, chat({ temperature: -0.5 }), "temperature"),
  invalid("temperature a string", CHAT, chat({ temperature: "hot" }), "temperature"),
  invalid("top_p = 0", CHAT, chat({ top_p: 0 }), "top_p"),
  invalid("top_p above 1", CHAT, chat({ top_p: 1.5 }), "top_p"),
  invalid("presence_penalty above 2", CHAT, chat({ presence_penalty: 3 }), "presence_penalty"),
  invalid('priority = "high"', CHAT, chat({ priority: "high" }), "priority"),
  invalid('cache_salt = ""', CHAT, chat({ cache_salt: "" }), "cache_salt"),
  {
    name: "kv_transfer_params when forbidden",
    path: CHAT,
    init: chat({ kv_transfer_params: { do_remote_decode: true } }),
    status: 400,
    code: "gateway_kv_transfer_params_forbidden",
    param: "kv_transfer_params",
  },
  invalid("stop = 5", CHAT, chat({ stop: 5 }), "stop"),
  invalid("stop_token_ids negative", CHAT, chat({ stop_token_ids: [-1] }), "stop_token_ids[0]"),
  invalid('chat logprobs = "yes"', CHAT, chat({ logprobs: "yes" }), "logprobs"),
  invalid("top_logprobs = -1", CHAT, chat({ top_logprobs: -1 }), "top_logprobs"),
  invalid(
    "chat_template_kwargs not an object",
    CHAT,
    chat({ chat_template_kwargs: ["x"] }),
    "chat_template_kwargs",
  ),
  invalid("tools not an array", CHAT, chat({ tools: { type: "function" } }), "tools"),
  invalid("seed = 1e30", CHAT, chat({ seed: 1e30 }), "seed"),
  invalid("return_token_ids not a boolean", CHAT, chat({ return_token_ids: "yes" }), "return_token_ids"),
  invalid("user not a string", CHAT, chat({ user: 42 }), "user"),
  invalid("min_tokens = -1", CHAT, chat({ min_tokens: -1 }), "min_tokens"),
  invalid("prompt = {}", COMPLETIONS, completion({ prompt: {} }), "prompt"),
  invalid('prompt = [[1, "a"]]', COMPLETIONS, completion({ prompt: [[1, "a"]] }), "prompt"),
  invalid("prompt = []", COMPLETIONS, completion({ prompt: [] }), "prompt"),
  invalid("completions without prompt", COMPLETIONS, jsonPost({ model: "llama" }), "prompt"),
  invalid("completions logprobs a boolean", COMPLETIONS, completion({ logprobs: true }), "logprobs"),
  invalid("embeddings input missing", "/v1/embeddings", jsonPost({ model: "llama" }), "input"),
  invalid("embeddings input a boolean", "/v1/embeddings", jsonPost({ input: true }), "input"),
  invalid("responses without input", "/v1/responses", jsonPost({ model: "llama" }), "input"),
  invalid(
    "responses max_output_tokens = 0",
    "/v1/responses",
    jsonPost({ input: "hi", max_output_tokens: 0 }),
    "max_output_tokens",
  ),
  invalid(
    "messages endpoint without max_tokens",
    "/v1/messages",
    jsonPost({ model: "llama", messages: USER }),
    "max_tokens",
  ),
  invalid(
    "messages endpoint without model",
    "/v1/messages",
    jsonPost({ max_tokens: 8, messages: USER }),
    "model",
  ),
  invalid(
    "messages endpoint with a system-role message",
    "/v1/messages",
    jsonPost({ model: "llama", max_tokens: 8, messages: [{ role: "system", content: "x" }] }),
    "messages[0].role",
  ),
  invalid("tokenize without prompt or messages", "/tokenize", jsonPost({ model: "llama" }), "prompt"),
  invalid("detokenize tokens with a string", "/detokenize", jsonPost({ tokens: [1, "2"] }), "tokens[1]"),
  {
    name: "unknown model",
    path: CHAT,
    init: chat({ model: "gpt-9" }),
    status: 404,
    code: "gateway_model_not_found",
    param: "model",
  },
  {
    name: "GET on a POST route",
    path: CHAT,
    init: { method: "GET" },
    status: 405,
    code: "gateway_method_not_allowed",
    param: null,
  },
  {
    name: "unknown route",
    path: "/v1/nope",
    init: jsonPost({}),
    status: 404,
    code: "gateway_route_not_found",
    param: null,
  },
];

describe("malformed requests through the front door", () => {
  const app = createTestApp({ maxBodyBytes: MAX_BODY_BYTES });

  test("covers at least 30 distinct kinds", () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  test.each(CASES.map((c) => [c.name, c] as const))("%s gets its 4xx in OpenAI's shape", async (_name, c) => {
    const response = await app.request(c.path, c.init);
    expect(response.status).toBe(c.status);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-request-id")).toBe(GENERATED_REQUEST_ID);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(["error"]);
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error.code).toBe(c.code);
    expect(body.error.param).toBe(c.param);
    expect(typeof body.error.message).toBe("string");
    expect(String(body.error.message).length).toBeGreaterThan(10);
    expect(body.error.type).toBe(c.status === 404 ? "not_found_error" : "invalid_request_error");
  });

  test("the unknown-model error names the available models", async () => {
    const response = await app.request(CHAT, chat({ model: "gpt-9" }));
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toBe("The model `gpt-9` does not exist. Available models: llama, qwen.");
  });

  test("a 405 carries Allow", async () => {
    const response = await app.request(CHAT, { method: "GET" });
    expect(response.headers.get("allow")).toBe("POST");
  });

  test("a type error names the field, the expected and the received type", async () => {
    const response = await app.request(CHAT, chat({ messages: [...USER, { role: 7 }] }));
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toBe(
      "Invalid type for 'messages[1].role': expected a string, but got an integer instead.",
    );
  });
});
