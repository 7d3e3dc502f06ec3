// forwardRequest when the client goes away: the upstream request is aborted at once (before and
// after the first byte, streaming or not) and the outcome says so, exactly once.
import { afterEach, describe, expect, test } from "bun:test";
import {
  chatRole,
  chatToken,
  DONE,
  type FakeUpstream,
  sseResponse,
  startFakeUpstream,
} from "./fake-upstream.ts";
import { type ProxyServer, post, readUntil, startProxy, waitFor } from "./proxy-fixture.ts";

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

const forever = () => new Promise<void>(() => {});

describe("forwardRequest client abort", () => {
  test("before the engine answers: the upstream request is aborted and the outcome is a client abort", async () => {
    let upstreamAbortedAt: number | null = null;
    const fake = upstream(async (request) => {
      request.signal.addEventListener("abort", () => {
        upstreamAbortedAt = performance.now();
      });
      await forever();
      return new Response("never");
    });
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const client = new AbortController();
    const pending = post(`${proxy.url}/v1/completions`, { model: "m" }, client.signal).catch(() => "aborted");
    await waitFor(() => fake.received.length === 1);
    const abortedAt = performance.now();
    client.abort();
    expect(await pending).toBe("aborted");
    await waitFor(() => upstreamAbortedAt !== null, 1000);
    expect((upstreamAbortedAt ?? 0) - abortedAt).toBeLessThan(1000);
    expect(await proxy.requests[0]?.finished).toMatchObject({
      isClientAbort: true,
      status: 499,
      attempts: 1,
    });
    expect(proxy.requests[0]?.events.filter((event) => event.kind === "attempt-failed")).toEqual([]);
  });

  test("before the first token of a stream: the engine's body is cancelled", async () => {
    let isCancelled = false;
    const fake = upstream(() =>
      sseResponse([chatRole(), chatToken("a"), DONE], {
        beforeEvent: (i) => (i === 1 ? forever() : Promise.resolve()),
        onCancel: () => {
          isCancelled = true;
        },
      }),
    );
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const client = new AbortController();
    const response = await post(
      `${proxy.url}/v1/chat/completions`,
      { model: "m", stream: true },
      client.signal,
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await readUntil(reader, (text) => text.includes('"role"'));
    client.abort();
    await waitFor(() => isCancelled, 1000);
    const outcome = await proxy.requests[0]?.finished;
    expect(outcome).toMatchObject({ isClientAbort: true, status: 200, errorCode: null, contentChunks: 0 });
    expect(proxy.requests[0]?.events.filter((event) => event.kind === "finish")).toHaveLength(1);
  });

  test("after some tokens: the engine's body is cancelled and the tokens so far are counted", async () => {
    let isCancelled = false;
    const events = [chatRole(), ...Array.from({ length: 1000 }, (_, i) => chatToken(`t${i}`)), DONE];
    const fake = upstream(() =>
      sseResponse(events, {
        beforeEvent: (i) => (i > 3 ? Bun.sleep(10) : Promise.resolve()),
        onCancel: () => {
          isCancelled = true;
        },
      }),
    );
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const client = new AbortController();
    const response = await post(
      `${proxy.url}/v1/chat/completions`,
      { model: "m", stream: true },
      client.signal,
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await readUntil(reader, (text) => text.includes('"t2"'));
    client.abort();
    await waitFor(() => isCancelled, 1000);
    const outcome = await proxy.requests[0]?.finished;
    expect(outcome?.isClientAbort).toBe(true);
    expect(outcome?.contentChunks).toBeGreaterThanOrEqual(3);
    expect(outcome?.contentChunks).toBeLessThan(1000);
  });
});
