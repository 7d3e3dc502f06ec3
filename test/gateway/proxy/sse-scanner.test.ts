// SSE framing for the relay: byte-exact relay of complete events, held partial events, dropped usage chunks.
import { describe, expect, test } from "bun:test";
import { createSseScanner } from "../../../src/gateway/proxy/sse-scanner.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const ROLE = `data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n`;
const TOKEN = (text: string) => `data: {"choices":[{"index":0,"delta":{"content":"${text}"}}]}\n\n`;
const FINISH = `data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n`;
const USAGE = `data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}\n\n`;
const DONE = "data: [DONE]\n\n";
const STREAM = ROLE + TOKEN("a") + TOKEN("b") + TOKEN("c") + FINISH + USAGE + DONE;

function scan(chunks: readonly string[], isUsageOnlyDropped: boolean) {
  const relayed: Uint8Array[] = [];
  let contentEvents = 0;
  const scanner = createSseScanner(
    { isUsageOnlyDropped },
    { relay: (bytes) => relayed.push(bytes), content: () => contentEvents++ },
  );
  for (const chunk of chunks) scanner.push(encoder.encode(chunk));
  const text = relayed.map((bytes) => decoder.decode(bytes)).join("");
  return { scanner, relayed, text, contentEvents };
}

function splitEvery(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

describe("createSseScanner", () => {
  test("relays a chunk of complete events as the very same bytes", () => {
    const chunk = encoder.encode(TOKEN("a") + TOKEN("b"));
    const relayed: Uint8Array[] = [];
    const scanner = createSseScanner(
      { isUsageOnlyDropped: true },
      { relay: (b) => relayed.push(b), content() {} },
    );
    scanner.push(chunk);
    expect(relayed).toHaveLength(1);
    expect(relayed[0]).toBe(chunk);
  });

  test("with usage wanted, relays the whole stream byte-exact and reads usage", () => {
    const { text, contentEvents, scanner } = scan([STREAM], false);
    expect(text).toBe(STREAM);
    expect(contentEvents).toBe(3);
    expect(scanner.hasSeenDone()).toBe(true);
    expect(scanner.usage()).toEqual({ promptTokens: 7, completionTokens: 3, cachedTokens: 0 });
  });

  test("without usage wanted, drops exactly the usage-only event and still reads usage", () => {
    const { text, scanner } = scan([STREAM], true);
    expect(text).toBe(STREAM.replace(USAGE, ""));
    expect(scanner.usage()?.completionTokens).toBe(3);
  });

  test.each([1, 2, 7, 33, 100])("gives the same bytes and counts when fed %d bytes at a time", (size) => {
    const { text, contentEvents, scanner } = scan(splitEvery(STREAM, size), true);
    expect(text).toBe(STREAM.replace(USAGE, ""));
    expect(contentEvents).toBe(3);
    expect(scanner.hasSeenDone()).toBe(true);
    expect(scanner.pendingBytes()).toBe(0);
  });

  test("holds an incomplete event until its blank line arrives", () => {
    const event = TOKEN("hello");
    const { scanner, text } = scan([TOKEN("a") + event.slice(0, 20)], false);
    expect(text).toBe(TOKEN("a"));
    expect(scanner.pendingBytes()).toBe(20);
    expect(decoder.decode(scanner.takePending() ?? new Uint8Array())).toBe(event.slice(0, 20));
    expect(scanner.pendingBytes()).toBe(0);
  });

  test("understands CRLF line endings, multi-line data, comments and event fields", () => {
    const stream = [
      ": keep-alive\r\n\r\n",
      'event: message\r\ndata: {"choices":[{"index":0,\r\ndata: "text":"x"}]}\r\n\r\n',
      'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\r\n\r\n',
      "data: [DONE]\r\n\r\n",
    ].join("");
    const { text, contentEvents, scanner } = scan([stream], true);
    expect(contentEvents).toBe(1);
    expect(scanner.hasSeenDone()).toBe(true);
    expect(text).toBe(stream.replace(/data: \{"choices":\[\],"usage".*?\r\n\r\n/, ""));
  });

  test("relays data that is not JSON untouched without counting it", () => {
    const stream = "data: not json\n\n";
    const { text, contentEvents } = scan([stream], true);
    expect(text).toBe(stream);
    expect(contentEvents).toBe(0);
  });

  test("reads cached tokens from prompt_tokens_details", () => {
    const usage = `data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}\n\n`;
    const { scanner } = scan([usage], true);
    expect(scanner.usage()).toEqual({ promptTokens: 9, completionTokens: 2, cachedTokens: 4 });
  });
});
