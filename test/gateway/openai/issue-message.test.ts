// Zod issues in OpenAI's wording: the param path and the message for each issue kind.
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { formatParamPath, jsonKind, requestIssueMessage } from "../../../src/gateway/openai/issue-message.ts";

function firstMessage(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value, { error: requestIssueMessage });
  if (result.success) throw new Error("expected an issue");
  return result.error.issues[0]?.message ?? "";
}

describe("formatParamPath", () => {
  test.each([
    [[], null],
    [["model"], "model"],
    [["messages", 2, "role"], "messages[2].role"],
    [["prompt", 0, 3], "prompt[0][3]"],
    [["stream_options", "include_usage"], "stream_options.include_usage"],
  ] as const)("%j -> %p", (path, expected) => {
    expect(formatParamPath(path)).toBe(expected);
  });
});

describe("jsonKind", () => {
  test.each([
    [null, "null"],
    [[], "an array"],
    [3, "an integer"],
    [3.5, "a number"],
    ["x", "a string"],
    [false, "a boolean"],
    [{}, "an object"],
  ] as const)("%j is %p", (value, kind) => {
    expect(jsonKind(value)).toBe(kind);
  });
});

describe("requestIssueMessage", () => {
  const Body = z.looseObject({
    name: z.string(),
    count: z.int().min(1).max(10).optional(),
    ratio: z.number().gt(0).lt(1).optional(),
    tags: z.array(z.string()).min(1).max(2).optional(),
    label: z.string().min(1).max(3).optional(),
    mode: z.enum(["a", "b"]).optional(),
    either: z.union([z.string(), z.boolean()]).describe("a string or a boolean").optional(),
    bare: z.union([z.string(), z.boolean()]).optional(),
    strict: z.strictObject({ x: z.int() }).optional(),
  });

  test.each([
    [{}, "Missing required parameter: 'name'."],
    [{ name: 1 }, "Invalid type for 'name': expected a string, but got an integer instead."],
    [{ name: "n", count: "3" }, "Invalid type for 'count': expected an integer, but got a string instead."],
    [{ name: "n", count: 0 }, "Invalid value for 'count': expected a value >= 1, but got 0 instead."],
    [{ name: "n", count: 11 }, "Invalid value for 'count': expected a value <= 10, but got 11 instead."],
    [{ name: "n", ratio: 1 }, "Invalid value for 'ratio': expected a value < 1, but got 1 instead."],
    [
      { name: "n", tags: [] },
      "Invalid value for 'tags': expected an array with at least 1 item, but got an empty array instead.",
    ],
    [
      { name: "n", tags: ["a", "b", "c"] },
      "Invalid value for 'tags': expected an array with at most 2 items.",
    ],
    [{ name: "n", label: "" }, "Invalid value for 'label': expected a non-empty string."],
    [{ name: "n", label: "abcd" }, "Invalid value for 'label': expected a string of at most 3 characters."],
    [{ name: "n", mode: "c" }, "Invalid value for 'mode': expected one of 'a', 'b'."],
    [
      { name: "n", either: 1 },
      "Invalid type for 'either': expected a string or a boolean, but got an integer instead.",
    ],
    [
      { name: "n", bare: 1 },
      "Invalid type for 'bare': expected one of the accepted forms, but got an integer instead.",
    ],
    [{ name: "n", strict: { x: 1, y: 2 } }, "Unrecognized parameters in 'strict': 'y'."],
  ] as const)("%j -> %p", (value, message) => {
    expect(firstMessage(Body, value)).toBe(message);
  });

  test("names the body itself when the top level is wrong", () => {
    expect(firstMessage(Body, [])).toBe(
      "Invalid type for the request body: expected an object, but got an array instead.",
    );
  });
});
