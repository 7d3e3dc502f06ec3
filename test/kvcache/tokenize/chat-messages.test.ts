// Request messages become the conversation vLLM gives the template (expectations from vLLM's chat_utils.py).
import { describe, expect, test } from "bun:test";
import { toConversation } from "../../../src/kvcache/tokenize/chat-messages.ts";
import { type ChatMessage, TokenizeError } from "../../../src/kvcache/tokenize/index.ts";
import { CHAT_CASES } from "../../fixtures/models/chat-cases.ts";

function conversionError(messages: readonly ChatMessage[]): TokenizeError {
  try {
    toConversation(messages, "string");
  } catch (error) {
    if (error instanceof TokenizeError) return error;
    throw error;
  }
  throw new Error("expected a TokenizeError");
}

describe("string content format", () => {
  test.each(CHAT_CASES.map((c) => [`${c.model}: ${c.name}`, c] as const))("%s", (_name, chatCase) => {
    expect(toConversation(chatCase.messages, "string")).toEqual([...chatCase.conversation]);
  });

  test("joins text, input_text, refusal and thinking parts with newlines and skips parts without text", () => {
    const [message] = toConversation(
      [
        {
          role: "user",
          content: [
            { type: "text", text: "a" },
            { type: "input_text", text: "b" },
            { type: "refusal", refusal: "c" },
            { type: "thinking", thinking: "d" },
            { type: "text" },
          ],
        },
      ],
      "string",
    );
    expect(message).toEqual({ role: "user", content: "a\nb\nc\nd" });
  });

  test("keeps name and task, and gives developer messages their tools", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(
      toConversation(
        [
          { role: "user", content: "x", name: "ann", task: "t", extra: 1 },
          { role: "developer", content: "y", tools },
        ],
        "string",
      ),
    ).toEqual([
      { role: "user", content: "x", name: "ann", task: "t" },
      { role: "developer", content: "y", tools },
    ]);
  });
});

describe("tool calls", () => {
  test("parses argument strings, turns malformed or missing arguments into {} and drops an empty list", () => {
    const conversation = toConversation(
      [
        {
          role: "assistant",
          content: "calling",
          tool_calls: [
            { id: "1", type: "function", function: { name: "a", arguments: '{"x": [1, 2]}' } },
            { id: "2", type: "function", function: { name: "b", arguments: "{not json" } },
            { id: "3", type: "function", function: { name: "c" } },
          ],
        },
        { role: "assistant", content: "none", tool_calls: [] },
      ],
      "string",
    );
    expect(conversation).toEqual([
      {
        role: "assistant",
        content: "calling",
        tool_calls: [
          { id: "1", type: "function", function: { name: "a", arguments: { x: [1, 2] } } },
          { id: "2", type: "function", function: { name: "b", arguments: {} } },
          { id: "3", type: "function", function: { name: "c", arguments: {} } },
        ],
      },
      { role: "assistant", content: "none" },
    ]);
  });

  test("leaves the request's messages unchanged", () => {
    const call = { id: "1", type: "function", function: { name: "a", arguments: '{"x": 1}' } };
    toConversation([{ role: "assistant", content: null, tool_calls: [call] }], "string");
    expect(call.function.arguments).toBe('{"x": 1}');
  });
});

describe("openai content format", () => {
  test("wraps string content and text parts as text dicts; null content is an empty list", () => {
    expect(
      toConversation(
        [
          { role: "user", content: "x" },
          {
            role: "user",
            content: [{ type: "input_text", text: "y" }, "z"] as unknown as ChatMessage["content"],
          },
          { role: "assistant", content: null },
        ],
        "openai",
      ),
    ).toEqual([
      { role: "user", content: [{ type: "text", text: "x" }] },
      {
        role: "user",
        content: [
          { type: "text", text: "y" },
          { type: "text", text: "z" },
        ],
      },
      { role: "assistant", content: [] },
    ]);
  });

  test("flattens text-only tool results to a string", () => {
    const [tool] = toConversation(
      [
        {
          role: "tool",
          tool_call_id: "1",
          content: [
            { type: "text", text: "a" },
            { type: "text", text: "b" },
          ],
        },
      ],
      "openai",
    );
    expect(tool).toEqual({ role: "tool", content: "a\nb", tool_call_id: "1" });
  });
});

describe("unsupported content", () => {
  test("rejects image parts, naming the part", () => {
    const error = conversionError([
      {
        role: "user",
        content: [
          { type: "text", text: "look" },
          { type: "image_url", image_url: { url: "http://x/y.png" } },
        ],
      },
    ]);
    expect(error.code).toBe("kvcache_chat_content_unsupported");
    expect(error.source).toBe("messages[0].content[1]");
  });

  test("rejects parts without a type", () => {
    expect(conversionError([{ role: "user", content: [{ text: "x" } as never] }]).message).toContain(
      "missing 'type' field",
    );
  });
});
