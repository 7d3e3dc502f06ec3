// forwardRequest streaming: chunk-by-chunk relay, headers, usage injection, accounting, and
// well-formed endings when the engine fails mid-stream.
import { afterEach, describe, expect, test } from "bun:test";
import {
  chatFinish,
  chatRole,
  chatToken,
  DONE,
  type FakeUpstream,
  httpChunk,
  RAW_SSE_HEADERS,
  type RawUpstream,
  sseResponse,
  startFakeUpstream,
  startRawUpstream,
  usageChunk,
} from "./fake-upstream.ts";
import { type ProxyServer, post, readUntil, sseData, startProxy } from "./proxy-fixture.ts";

const STREAM = [
  chatRole(),
  chatToken("a"),
  chatToken("b"),
  chatToken("c"),
  chatFinish(),
  usageChunk(5, 3),
  DONE,
];

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function upstream(handler: Parameters<typeof startFakeUpstream>[0]): FakeUpstream {
  const fake = startFakeUpstream(handler);
  cleanups.push(() => fake.stop());
  return fake;
}

function proxyTo(options: Parameters<typeof startProxy>[0]): ProxyServer {
  const proxy = startProxy(options);
  cleanups.push(() => proxy.stop());
  return proxy;
}

function raw(script: Parameters<typeof startRawUpstream>[0]): RawUpstream {
  const fake = startRawUpstream(script);
  cleanups.push(() => fake.stop());
  return fake;
}

describe("forwardRequest streaming", () => {
  test("relays each event while the engine is still generating the next", async () => {
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const fake = upstream(() =>
      sseResponse(STREAM, { beforeEvent: (i) => (i === 2 ? gate : Promise.resolve()) }),
    );
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const response = await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    // Event 2 is held upstream until the gate opens, so event 1 must reach the client first.
    const early = await readUntil(reader, (text) => text.includes('"content":"a"'));
    expect(early).not.toContain('"content":"b"');
    openGate();
    const rest = await readUntil(reader, (text) => text.endsWith(DONE));
    expect(early + rest).toBe(STREAM.filter((event) => !event.includes('"usage"')).join(""));
  });

  test("sets x-llmux-endpoint, x-request-id and no-cache, and keeps the engine's content-type", async () => {
    const fake = upstream(() => sseResponse(STREAM));
    const proxy = proxyTo({ targets: [fake.target("engine-7")] });
    const response = await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true });
    await response.text();
    expect(response.headers.get("x-llmux-endpoint")).toBe("engine-7");
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(fake.received[0]?.headers.get("x-request-id")).toBe("req-1");
  });

  test("without include_usage the client gets no usage chunk, yet the observer gets the usage", async () => {
    const fake = upstream(() => sseResponse(STREAM));
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const text = await (await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true })).text();
    expect(text).not.toContain('"usage"');
    expect(fake.received[0]?.body.stream_options).toEqual({ include_usage: true });
    const outcome = await proxy.requests[0]?.finished;
    const events = proxy.requests[0]?.events ?? [];
    expect(events.find((event) => event.kind === "usage")).toEqual({
      kind: "usage",
      usage: { promptTokens: 5, completionTokens: 3, cachedTokens: 0 },
    });
    expect(outcome).toMatchObject({ status: 200, contentChunks: 3, errorCode: null, isClientAbort: false });
  });

  test("with include_usage the usage chunk is relayed", async () => {
    const fake = upstream(() => sseResponse(STREAM));
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const body = { model: "m", stream: true, stream_options: { include_usage: true } };
    const text = await (await post(`${proxy.url}/v1/chat/completions`, body)).text();
    expect(text).toBe(STREAM.join(""));
  });

  test("reports first token, then one token per later content chunk, then finish", async () => {
    const fake = upstream(() => sseResponse(STREAM));
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    await (await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true })).text();
    await proxy.requests[0]?.finished;
    const kinds = (proxy.requests[0]?.events ?? []).map((event) => event.kind);
    expect(kinds).toEqual([
      "attempt",
      "upstream-response",
      "first-token",
      "token",
      "token",
      "usage",
      "finish",
    ]);
  });

  test("an engine that resets mid-event ends the stream with an error event and [DONE], every line JSON", async () => {
    const fake = raw(async (write) => {
      write(RAW_SSE_HEADERS + httpChunk(chatRole()) + httpChunk(chatToken("a")));
      await Bun.sleep(20);
      // Half an event, then the connection dies: the half must never reach the client.
      write(httpChunk(chatToken("b").slice(0, 25)));
      await Bun.sleep(20);
    });
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const text = await (await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true })).text();
    const data = sseData(text);
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.at(-2)).toMatchObject({
      error: { code: "gateway_upstream_failed_midstream", type: "server_error" },
    });
    expect(text.startsWith(chatRole() + chatToken("a"))).toBe(true);
    expect(text).not.toContain('"content":"b');
    const outcome = await proxy.requests[0]?.finished;
    expect(outcome).toMatchObject({
      status: 200,
      errorCode: "gateway_upstream_failed_midstream",
      errorDetail: "ECONNRESET",
      contentChunks: 1,
    });
  });

  test("a clean close before [DONE] counts as a failure too", async () => {
    const fake = upstream(() => sseResponse([chatRole(), chatToken("a")]));
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const text = await (await post(`${proxy.url}/v1/completions`, { model: "m", stream: true })).text();
    const data = sseData(text);
    expect(data.at(-2)).toMatchObject({ error: { code: "gateway_upstream_failed_midstream" } });
    expect(data.at(-1)).toBe("[DONE]");
  });

  test("an engine that goes quiet past idleTimeoutMs gets a timeout error event", async () => {
    const fake = upstream(() =>
      sseResponse(STREAM, {
        beforeEvent: (i) => (i === 2 ? new Promise<void>(() => {}) : Promise.resolve()),
      }),
    );
    const proxy = proxyTo({ targets: [fake.target("e1")], settings: { idleTimeoutMs: 300 } });
    const started = performance.now();
    const text = await (await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true })).text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const data = sseData(text);
    expect(data[1]).toMatchObject({ choices: [{ delta: { content: "a" } }] });
    expect(data.at(-2)).toMatchObject({ error: { code: "gateway_upstream_timeout" } });
    expect(data.at(-1)).toBe("[DONE]");
    expect(await proxy.requests[0]?.finished).toMatchObject({
      errorCode: "gateway_upstream_timeout",
      errorDetail: "idle timeout",
    });
  });

  test("a stream with gaps shorter than idleTimeoutMs is never cut, however long it runs", async () => {
    const fake = upstream(() => sseResponse(STREAM, { beforeEvent: () => Bun.sleep(150) }));
    const proxy = proxyTo({ targets: [fake.target("e1")], settings: { idleTimeoutMs: 400 } });
    const body = { model: "m", stream: true, stream_options: { include_usage: true } };
    const text = await (await post(`${proxy.url}/v1/chat/completions`, body)).text();
    expect(text).toBe(STREAM.join(""));
    expect((await proxy.requests[0]?.finished)?.errorCode).toBeNull();
  });

  test("a throwing observer is reported and the stream still completes", async () => {
    const fake = upstream(() => sseResponse(STREAM));
    const errors: string[] = [];
    const proxy = proxyTo({
      targets: [fake.target("e1")],
      observer: {
        onToken() {
          throw new Error("observer bug");
        },
        onCallbackError: (callback) => errors.push(callback),
      },
    });
    const text = await (await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true })).text();
    expect(text.endsWith(DONE)).toBe(true);
    expect(errors).toEqual(["onToken", "onToken"]);
  });
});
