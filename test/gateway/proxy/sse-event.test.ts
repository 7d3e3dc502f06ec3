// Classification of SSE payloads for accounting, across the chat, completions, Responses and Messages shapes.
import { describe, expect, test } from "bun:test";
import { classifySseEvent, usageOfEvent } from "../../../src/gateway/proxy/sse-event.ts";

describe("classifySseEvent", () => {
  test.each([
    ["chat content", { choices: [{ delta: { content: "hi" } }] }, "content"],
    ["chat role-only first chunk", { choices: [{ delta: { role: "assistant", content: "" } }] }, "other"],
    ["chat finish chunk", { choices: [{ delta: {}, finish_reason: "stop" }] }, "other"],
    ["chat reasoning", { choices: [{ delta: { reasoning_content: "hmm" } }] }, "content"],
    ["chat reasoning (new field)", { choices: [{ delta: { reasoning: "hmm" } }] }, "content"],
    ["chat tool call", { choices: [{ delta: { tool_calls: [{ index: 0 }] } }] }, "content"],
    ["completions text", { choices: [{ text: "abc" }] }, "content"],
    ["completions empty text", { choices: [{ text: "", finish_reason: "length" }] }, "other"],
    ["token ids only", { choices: [{ text: "", token_ids: [5] }] }, "content"],
    ["usage-only chunk", { choices: [], usage: { prompt_tokens: 1 } }, "usage-only"],
    ["empty choices without usage", { choices: [] }, "other"],
    ["content with continuous usage", { choices: [{ text: "a" }], usage: { prompt_tokens: 1 } }, "content"],
    ["responses text delta", { type: "response.output_text.delta", delta: "x" }, "content"],
    ["responses created", { type: "response.created", response: {} }, "other"],
    ["anthropic content delta", { type: "content_block_delta", delta: { text: "x" } }, "content"],
    ["anthropic message start", { type: "message_start", message: {} }, "other"],
    ["vLLM mid-stream error", { error: { message: "boom", code: 500 } }, "other"],
    ["not an object", [1, 2], "other"],
  ])("%s → %s", (_name, value, expected) => {
    expect(classifySseEvent(value)).toBe(expected as ReturnType<typeof classifySseEvent>);
  });
});

describe("usageOfEvent", () => {
  test("reads OpenAI usage", () => {
    const value = {
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 8 } },
    };
    expect(usageOfEvent(value, null)).toEqual({ promptTokens: 10, completionTokens: 4, cachedTokens: 8 });
  });

  test("reads the Responses API's response.completed usage", () => {
    const value = {
      type: "response.completed",
      response: { usage: { input_tokens: 12, output_tokens: 5, input_tokens_details: { cached_tokens: 3 } } },
    };
    expect(usageOfEvent(value, null)).toEqual({ promptTokens: 12, completionTokens: 5, cachedTokens: 3 });
  });

  test("merges Anthropic's input usage at message_start with output usage at message_delta", () => {
    const started = usageOfEvent(
      {
        type: "message_start",
        message: { usage: { input_tokens: 20, output_tokens: 0, cache_read_input_tokens: 16 } },
      },
      null,
    );
    const ended = usageOfEvent({ type: "message_delta", usage: { output_tokens: 9 } }, started);
    expect(ended).toEqual({ promptTokens: 20, completionTokens: 9, cachedTokens: 16 });
  });

  test("keeps the previous usage when an event carries none", () => {
    const previous = { promptTokens: 1, completionTokens: 2, cachedTokens: 0 };
    expect(usageOfEvent({ choices: [{ text: "a" }] }, previous)).toBe(previous);
  });
});
