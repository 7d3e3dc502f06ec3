// parseGenerationRequest: what each route accepts (vLLM's rules), what it derives (model, streaming,
// usage), that unknown fields pass through untouched, and the 400 it gives for each rejected field.
import { describe, expect, test } from "bun:test";
import { parseGenerationRequest, type RequestRoute } from "../../../src/gateway/openai/schemas.ts";

const USER = [{ role: "user", content: "hi" }];
const CLOSED = { allowKvTransferParams: false };

function accept(route: RequestRoute, body: Record<string, unknown>, allowKvTransferParams = false) {
  const result = parseGenerationRequest(route, body, { allowKvTransferParams });
  if (!result.ok) throw new Error(`rejected: ${result.response.status}`);
  return result.request;
}

async function reject(route: RequestRoute, body: Record<string, unknown>) {
  const result = parseGenerationRequest(route, body, { ...CLOSED, requestId: "req-7" });
  if (result.ok) throw new Error("expected a rejection");
  expect(result.response.headers.get("x-request-id")).toBe("req-7");
  const payload = (await result.response.json()) as {
    error: { code: string; param: string | null; message: string };
  };
  return { status: result.response.status, ...payload.error };
}

describe("accepted requests", () => {
  test.each([
    ["chat", { model: "m", messages: USER }],
    ["chat", { messages: [{ role: "assistant", content: null, tool_calls: [{ id: "1" }] }] }],
    ["chat", { messages: [{ role: "user", content: [{ type: "text", text: "a" }, "plain part"] }] }],
    ["chat", { messages: USER, temperature: 3, top_p: 1, n: 2, seed: -5, stop: ["x"], priority: -3 }],
    ["chat", { messages: USER, stream: false, stream_options: {} }],
    ["chat", { messages: USER, stream: false, stream_options: null }],
    [
      "chat",
      { messages: USER, max_tokens: null, logprobs: true, top_logprobs: 5, tools: [], tool_choice: "auto" },
    ],
    ["chat", { messages: USER, chat_template_kwargs: { enable_thinking: false }, cache_salt: "s1" }],
    ["completions", { prompt: "hi" }],
    ["completions", { prompt: ["a", "b"] }],
    ["completions", { prompt: [1, 2, 3] }],
    ["completions", { prompt: [[1, 2], [3]] }],
    ["completions", { prompt: "", max_tokens: 0, echo: true, logprobs: 2 }],
    ["completions", { prompt_embeds: "base64data" }],
    ["embeddings", { input: "hi", encoding_format: "float", dimensions: 64 }],
    ["embeddings", { input: [[1, 2]] }],
    ["embeddings", { messages: USER }],
    ["responses", { input: "hi", max_output_tokens: 16, stream: true }],
    [
      "responses",
      {
        input: [
          { role: "user", content: "hi" },
          { type: "function_call_output", output: "x" },
        ],
      },
    ],
    ["messages", { model: "m", max_tokens: 8, messages: USER, system: "be brief" }],
    [
      "messages",
      { model: "m", max_tokens: 8, messages: [{ role: "user", content: [{ type: "text", text: "a" }] }] },
    ],
    ["tokenize", { prompt: "hi" }],
    ["tokenize", { messages: USER, add_generation_prompt: true }],
    ["detokenize", { tokens: [1, 2, 3] }],
  ] as const)("%s accepts %j", (route, body) => {
    expect(accept(route, { ...body }).body).toEqual(body);
  });

  test("passes unknown fields through as the same object, untouched", () => {
    const body = {
      messages: USER,
      vendor_extension: { deeply: { nested: [1, "two", null] } },
      guided_json: { type: "object" },
      structured_outputs: { regex: "a+" },
    };
    const snapshot = structuredClone(body);
    const parsed = accept("chat", body);
    expect(parsed.body).toBe(body);
    expect(body).toEqual(snapshot);
  });

  test("accepts kv_transfer_params when the config allows it", () => {
    expect(
      accept("chat", { messages: USER, kv_transfer_params: { do_remote_decode: true } }, true).model,
    ).toBeNull();
  });

  test("treats kv_transfer_params null as absent, as vLLM does", () => {
    expect(accept("chat", { messages: USER, kv_transfer_params: null }).isStreaming).toBe(false);
  });
});

describe("derived facts", () => {
  test.each([
    ["chat", { messages: USER }, null, false, true],
    ["chat", { model: "", messages: USER }, null, false, true],
    ["chat", { model: "llama", messages: USER, stream: true }, "llama", true, false],
    ["chat", { messages: USER, stream: true, stream_options: { include_usage: true } }, null, true, true],
    ["chat", { messages: USER, stream: true, stream_options: { include_usage: false } }, null, true, false],
    [
      "chat",
      { messages: USER, stream: true, stream_options: { continuous_usage_stats: true } },
      null,
      true,
      false,
    ],
    ["completions", { model: "q", prompt: "x", stream: true }, "q", true, false],
    ["responses", { input: "x", stream: true }, null, true, true],
    ["messages", { model: "m", max_tokens: 1, messages: USER, stream: true }, "m", true, true],
    ["embeddings", { input: "x", stream: true }, null, false, true],
    ["tokenize", { prompt: "x" }, null, false, true],
  ] as const)(
    "%s %j -> model %p, streaming %p, client wants usage %p",
    (route, body, model, isStreaming, wantsUsage) => {
      const parsed = accept(route, { ...body });
      expect(parsed.model).toBe(model);
      expect(parsed.isStreaming).toBe(isStreaming);
      expect(parsed.clientWantsUsage).toBe(wantsUsage);
    },
  );
});

describe("rejected requests", () => {
  test.each([
    [
      "chat",
      { messages: USER, kv_transfer_params: "x" },
      "gateway_kv_transfer_params_forbidden",
      "kv_transfer_params",
    ],
    ["chat", { messages: USER, n: 1.5 }, "gateway_invalid_request", "n"],
    ["chat", { messages: USER, frequency_penalty: -2.5 }, "gateway_invalid_request", "frequency_penalty"],
    ["chat", { messages: USER, repetition_penalty: 0 }, "gateway_invalid_request", "repetition_penalty"],
    ["chat", { messages: USER, min_p: 2 }, "gateway_invalid_request", "min_p"],
    ["chat", { messages: USER, top_k: 1.5 }, "gateway_invalid_request", "top_k"],
    ["chat", { messages: USER, request_id: "" }, "gateway_invalid_request", "request_id"],
    ["chat", { messages: USER, tool_choice: 3 }, "gateway_invalid_request", "tool_choice"],
    ["chat", { messages: USER, logit_bias: [] }, "gateway_invalid_request", "logit_bias"],
    [
      "chat",
      { messages: [{ role: "user", content: [5] }] },
      "gateway_invalid_request",
      "messages[0].content",
    ],
    ["chat", { messages: [null] }, "gateway_invalid_request", "messages[0]"],
    ["completions", { prompt: [-1] }, "gateway_invalid_request", "prompt[0]"],
    ["completions", { prompt: "x", max_tokens: -1 }, "gateway_invalid_request", "max_tokens"],
    ["completions", { prompt: "x", echo: "yes" }, "gateway_invalid_request", "echo"],
    ["embeddings", { input: "x", dimensions: 0 }, "gateway_invalid_request", "dimensions"],
    ["embeddings", { messages: "x" }, "gateway_invalid_request", "messages"],
    ["responses", { input: 5 }, "gateway_invalid_request", "input"],
    ["responses", { input: [{ role: 1 }] }, "gateway_invalid_request", "input"],
    ["messages", { model: "", max_tokens: 1, messages: USER }, "gateway_invalid_request", "model"],
    ["messages", { model: "m", max_tokens: 1, messages: [] }, "gateway_invalid_request", "messages"],
    [
      "messages",
      { model: "m", max_tokens: 1, messages: USER, system: 5 },
      "gateway_invalid_request",
      "system",
    ],
    [
      "messages",
      { model: "m", max_tokens: 1, messages: USER, stop_sequences: "x" },
      "gateway_invalid_request",
      "stop_sequences",
    ],
    ["tokenize", { prompt: 5 }, "gateway_invalid_request", "prompt"],
    ["tokenize", { messages: [{}] }, "gateway_invalid_request", "messages[0].role"],
    ["detokenize", {}, "gateway_invalid_request", "tokens"],
  ] as const)("%s rejects %j with %s on %s", async (route, body, code, param) => {
    const error = await reject(route, { ...body });
    expect(error).toMatchObject({ status: 400, code, param });
  });

  test.each([
    [{ model: "m" }, "Missing required parameter: 'messages'."],
    [{ messages: "x" }, "Invalid type for 'messages': expected an array, but got a string instead."],
    [
      { messages: [] },
      "Invalid value for 'messages': expected an array with at least 1 item, but got an empty array instead.",
    ],
    [{ messages: USER, n: "2" }, "Invalid type for 'n': expected an integer, but got a string instead."],
    [
      { messages: USER, max_tokens: 1.5 },
      "Invalid type for 'max_tokens': expected an integer, but got a number instead.",
    ],
    [
      { messages: USER, max_tokens: 0 },
      "Invalid value for 'max_tokens': expected a value >= 1, but got 0 instead.",
    ],
    [{ messages: USER, top_p: 0 }, "Invalid value for 'top_p': expected a value > 0, but got 0 instead."],
    [
      { messages: USER, stop: 5 },
      "Invalid type for 'stop': expected a string or an array of strings, but got an integer instead.",
    ],
    [{ messages: USER, cache_salt: "" }, "Invalid value for 'cache_salt': expected a non-empty string."],
    [
      { messages: USER, stream_options: { include_usage: true } },
      "Invalid value for 'stream_options': stream options can only be defined when `stream=true`.",
    ],
  ] as const)("chat %j says %p", async (body, message) => {
    expect((await reject("chat", { ...body })).message).toBe(message);
  });

  test("the Anthropic route names the allowed roles", async () => {
    const error = await reject("messages", {
      model: "m",
      max_tokens: 1,
      messages: [{ role: "system", content: "x" }],
    });
    expect(error.message).toBe("Invalid value for 'messages[0].role': expected one of 'user', 'assistant'.");
  });

  test("never echoes a client string back", async () => {
    const secret = "sk-live-very-secret-value";
    const error = await reject("chat", {
      messages: [{ role: "user", content: { text: secret } }],
      model: secret,
    });
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  test("checks kv_transfer_params before anything else", async () => {
    const error = await reject("chat", { kv_transfer_params: {} });
    expect(error.code).toBe("gateway_kv_transfer_params_forbidden");
  });
});
