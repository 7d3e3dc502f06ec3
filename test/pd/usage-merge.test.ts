import { describe, expect, test } from "bun:test";
import { legUsageOf, mergeLegUsage, rewriteUsageIn } from "../../src/pd/usage-merge.ts";

const PREFILL = { promptTokens: 800, completionTokens: 1, cachedTokens: 96 };

describe("legUsageOf", () => {
  test("reads chat/completions and Responses usage; a missing cached count is 0", () => {
    expect(legUsageOf({ usage: { prompt_tokens: 8, completion_tokens: 1 } })).toEqual({
      promptTokens: 8,
      completionTokens: 1,
      cachedTokens: 0,
    });
    expect(
      legUsageOf({
        usage: { prompt_tokens: 8, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 4 } },
      }),
    ).toEqual({ promptTokens: 8, completionTokens: 1, cachedTokens: 4 });
    expect(
      legUsageOf({
        usage: { input_tokens: 8, output_tokens: 1, input_tokens_details: { cached_tokens: 2 } },
      }),
    ).toEqual({ promptTokens: 8, completionTokens: 1, cachedTokens: 2 });
    expect(legUsageOf({ usage: {} })).toBeNull();
    expect(legUsageOf({})).toBeNull();
  });
});

describe("mergeLegUsage", () => {
  test("cached tokens come from prefill; prompt tokens from decode unless it reports none", () => {
    expect(mergeLegUsage(PREFILL, { promptTokens: 800, completionTokens: 50, cachedTokens: 800 })).toEqual({
      promptTokens: 800,
      completionTokens: 50,
      cachedTokens: 96,
    });
    expect(mergeLegUsage(PREFILL, { promptTokens: 0, completionTokens: 50, cachedTokens: 0 })).toEqual({
      promptTokens: 800,
      completionTokens: 50,
      cachedTokens: 96,
    });
  });
});

describe("rewriteUsageIn", () => {
  test("chat chunk: cached_tokens replaced in the existing details", () => {
    const chunk = {
      usage: {
        prompt_tokens: 800,
        completion_tokens: 5,
        total_tokens: 805,
        prompt_tokens_details: { cached_tokens: 800 },
      },
    };
    expect(rewriteUsageIn(chunk, PREFILL)).toBe(true);
    expect(chunk.usage).toEqual({
      prompt_tokens: 800,
      completion_tokens: 5,
      total_tokens: 805,
      prompt_tokens_details: { cached_tokens: 96 },
    });
  });

  test("details created only when prefill had cached tokens; zero prompt filled in with the total", () => {
    const chunk: Record<string, unknown> = {
      usage: { prompt_tokens: 0, completion_tokens: 5, total_tokens: 5 },
    };
    expect(rewriteUsageIn(chunk, PREFILL)).toBe(true);
    expect(chunk.usage).toEqual({
      prompt_tokens: 800,
      completion_tokens: 5,
      total_tokens: 805,
      prompt_tokens_details: { cached_tokens: 96 },
    });
    const untouched = { usage: { prompt_tokens: 8, completion_tokens: 1 } };
    expect(rewriteUsageIn(untouched, { ...PREFILL, cachedTokens: 0 })).toBe(false);
  });

  test("Responses events carry usage under response", () => {
    const event = {
      type: "response.completed",
      response: {
        usage: { input_tokens: 800, output_tokens: 5, input_tokens_details: { cached_tokens: 800 } },
      },
    };
    expect(rewriteUsageIn(event, PREFILL)).toBe(true);
    expect(event.response.usage.input_tokens_details.cached_tokens).toBe(96);
  });

  test("values without usage are left alone", () => {
    expect(rewriteUsageIn({ choices: [] }, PREFILL)).toBe(false);
    expect(rewriteUsageIn(null, PREFILL)).toBe(false);
    expect(rewriteUsageIn({ usage: null }, PREFILL)).toBe(false);
  });
});
