import { describe, expect, test } from "bun:test";
import { tokensAsText } from "../../../src/bench/index.ts";
import { readEvents } from "../../../src/bench/loadgen/sse-request.ts";

function streamOf(chunks: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe("SSE reading", () => {
  test("yields data payloads split anywhere across chunks, CRLF or LF, without [DONE]", async () => {
    const payloads: string[] = [];
    await readEvents(
      streamOf(['data: {"a":', '1}\r\n\r\ndata: {"b":2}\n', "\n: comment\n\ndata: [DONE]\n\n"]),
      (p) => payloads.push(p),
    );
    expect(payloads).toEqual(['{"a":1}', '{"b":2}']);
  });

  test("chat prompts keep shared token prefixes as shared text prefixes", () => {
    const a = tokensAsText([1000, 2000, 3000]);
    const b = tokensAsText([1000, 2000, 4000]);
    expect(a.startsWith(tokensAsText([1000, 2000]))).toBe(true);
    expect(b.startsWith(tokensAsText([1000, 2000]))).toBe(true);
    expect(a).not.toBe(b);
  });
});
