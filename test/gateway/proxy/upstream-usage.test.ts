// Usage read from complete engine responses.
import { describe, expect, test } from "bun:test";
import { mergeUsage, usageOfBody } from "../../../src/gateway/proxy/upstream-usage.ts";

describe("usageOfBody", () => {
  test.each([
    [
      "chat completion",
      { usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7, prompt_tokens_details: null } },
      { promptTokens: 4, completionTokens: 3, cachedTokens: 0 },
    ],
    [
      "embeddings",
      { usage: { prompt_tokens: 6, total_tokens: 6 } },
      { promptTokens: 6, completionTokens: 0, cachedTokens: 0 },
    ],
    [
      "responses",
      { usage: { input_tokens: 5, output_tokens: 2, input_tokens_details: { cached_tokens: 1 } } },
      { promptTokens: 5, completionTokens: 2, cachedTokens: 1 },
    ],
    ["no usage", { id: "x" }, null],
    ["usage null", { usage: null }, null],
    ["not an object", "text", null],
  ])("%s", (_name, body, expected) => {
    expect(usageOfBody(body)).toEqual(expected);
  });
});

describe("mergeUsage", () => {
  test("ignores negative and non-numeric counts", () => {
    expect(mergeUsage(null, { prompt_tokens: -1, completion_tokens: "3" })).toBeNull();
  });
});
