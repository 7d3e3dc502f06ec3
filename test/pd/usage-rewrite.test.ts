import { describe, expect, test } from "bun:test";
import { createUsageRewriter, withPrefillUsage } from "../../src/pd/usage-rewrite.ts";

const PREFILL = { promptTokens: 10, completionTokens: 1, cachedTokens: 4 };
const ENCODER = new TextEncoder();

async function rewriteChunks(chunks: readonly string[]): Promise<string> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(ENCODER.encode(chunk));
      controller.close();
    },
  });
  return new Response(source.pipeThrough(createUsageRewriter(PREFILL))).text();
}

const CONTENT = 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n';
const USAGE =
  'data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":10}}}\n\n';
const REWRITTEN =
  'data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":4}}}\n\n';

describe("createUsageRewriter", () => {
  test("rewrites the usage event and passes every other byte through", async () => {
    expect(await rewriteChunks([CONTENT, USAGE, "data: [DONE]\n\n"])).toBe(
      `${CONTENT}${REWRITTEN}data: [DONE]\n\n`,
    );
  });

  test("an event split anywhere across chunks is rewritten once whole", async () => {
    const text = `${CONTENT}${USAGE}data: [DONE]\n\n`;
    for (const cut of [1, 20, CONTENT.length + 5, CONTENT.length + 40, text.length - 3]) {
      expect(await rewriteChunks([text.slice(0, cut), text.slice(cut)])).toBe(
        `${CONTENT}${REWRITTEN}data: [DONE]\n\n`,
      );
    }
  });

  test("a multi-byte character split across chunks survives", async () => {
    const text = 'data: {"choices":[{"delta":{"content":"é€"}}]}\n\n';
    const bytes = ENCODER.encode(text);
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 40));
        controller.enqueue(bytes.slice(40));
        controller.close();
      },
    });
    expect(await new Response(source.pipeThrough(createUsageRewriter(PREFILL))).text()).toBe(text);
  });

  test("a tail without a newline is still delivered, rewritten", async () => {
    expect(await rewriteChunks([CONTENT, USAGE.trimEnd()])).toBe(`${CONTENT}${REWRITTEN.trimEnd()}`);
  });
});

describe("withPrefillUsage", () => {
  test("rewrites a JSON body and keeps status and headers", async () => {
    const upstream = Response.json(
      { usage: { prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 10 } } },
      { headers: { "x-llmux-endpoint": "d1" } },
    );
    const response = await withPrefillUsage(upstream, PREFILL);
    expect(response.headers.get("x-llmux-endpoint")).toBe("d1");
    expect(await response.json()).toEqual({
      usage: { prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 } },
    });
  });

  test("error responses pass untouched", async () => {
    const upstream = Response.json({ error: { message: "x" }, usage: { prompt_tokens: 0 } }, { status: 502 });
    expect(await withPrefillUsage(upstream, PREFILL)).toBe(upstream);
  });
});
