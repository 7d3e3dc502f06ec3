import { describe, expect, test } from "bun:test";
import { PREFIX_MATCH_KEY } from "../../../src/scheduler/data-keys.ts";
import { cachedTokensOf } from "../../../src/scheduler/prefix/cached-tokens.ts";
import { prefixCycle } from "../builders.ts";

describe("cachedTokensOf", () => {
  const info = prefixCycle(10, { a: 3, b: 10 }, 16).get(PREFIX_MATCH_KEY);

  test("matched blocks × block size, never more than the prompt, 0 without data", () => {
    expect(cachedTokensOf(info, "a", 150)).toBe(48);
    expect(cachedTokensOf(info, "b", 150)).toBe(150);
    expect(cachedTokensOf(info, "c", 150)).toBe(0);
    expect(cachedTokensOf(undefined, "a", 150)).toBe(0);
  });
});
