import { describe, expect, test } from "bun:test";
import { toPromptText } from "../../../src/scheduler/prefix/prompt-text.ts";

describe("toPromptText", () => {
  test.each([
    ["completion string", { prompt: "hello" }, "hello"],
    ["completion prompt list", { prompt: ["a", "b"] }, "a\nb\n"],
    ["token id prompt", { prompt: [1, 2] }, "1\n2\n"],
    [
      "chat messages: role and text per message",
      {
        messages: [
          { role: "system", content: "S" },
          { role: "user", content: "hi" },
        ],
      },
      "system:S\nuser:hi\n",
    ],
    [
      "text parts joined, other parts as placeholders",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image_url", image_url: { url: "u" } },
            ],
          },
        ],
      },
      'user:look<image_url:{"type":"image_url","image_url":{"url":"u"}}>\n',
    ],
    [
      "tools come first",
      { tools: [{ name: "f" }], messages: [{ role: "user", content: "x" }] },
      'tools:[{"name":"f"}]\nuser:x\n',
    ],
    [
      "tool calls follow the content",
      { messages: [{ role: "assistant", content: null, tool_calls: [{ id: "1" }] }] },
      'assistant:[{"id":"1"}]\n',
    ],
    ["responses instructions then input", { instructions: "I", input: "hello" }, "instructions:I\nhello"],
    [
      "anthropic system then messages",
      { system: "S", messages: [{ role: "user", content: "q" }] },
      "system:S\nuser:q\n",
    ],
    ["no prompt at all", {}, ""],
  ])("%s", (_name, body, expected) => {
    expect(toPromptText(body)).toBe(expected);
  });

  test("conversations that share their first turns share a text prefix", () => {
    const first = [
      { role: "system", content: "You are terse." },
      { role: "user", content: "one" },
    ];
    const short = toPromptText({ messages: first });
    const long = toPromptText({
      messages: [...first, { role: "assistant", content: "1" }, { role: "user", content: "two" }],
    });
    expect(long.startsWith(short)).toBe(true);
  });
});
