// forwardRequest without streaming: the engine's JSON is relayed as the same bytes, with usage and
// the response time reported, and bounded in size.
import { afterEach, describe, expect, test } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "./fake-upstream.ts";
import { type ProxyServer, post, startProxy } from "./proxy-fixture.ts";

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

const COMPLETION = JSON.stringify({
  id: "cmpl-1",
  object: "text_completion",
  choices: [{ index: 0, text: "héllo ✓", finish_reason: "length" }],
  usage: {
    prompt_tokens: 4,
    total_tokens: 7,
    completion_tokens: 3,
    prompt_tokens_details: { cached_tokens: 2 },
  },
});

describe("forwardRequest non-streaming", () => {
  test("relays the engine's body byte for byte and reports first token and usage", async () => {
    const fake = upstream(
      () => new Response(COMPLETION, { headers: { "content-type": "application/json" } }),
    );
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    const response = await post(`${proxy.url}/v1/completions`, { model: "m", prompt: "hi" });
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new TextEncoder().encode(COMPLETION));
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-llmux-endpoint")).toBe("e1");
    expect(response.headers.get("cache-control")).toBeNull();
    expect(fake.received[0]?.body).toEqual({ model: "m", prompt: "hi" });
    await proxy.requests[0]?.finished;
    expect(proxy.requests[0]?.events.map((event) => event.kind)).toEqual([
      "attempt",
      "upstream-response",
      "first-token",
      "usage",
      "finish",
    ]);
    expect(proxy.requests[0]?.events[3]).toEqual({
      kind: "usage",
      usage: { promptTokens: 4, completionTokens: 3, cachedTokens: 2 },
    });
  });

  test("a body larger than maxResponseBytes becomes 502 gateway_upstream_unavailable", async () => {
    const fake = upstream(
      () => new Response("x".repeat(200_000), { headers: { "content-type": "application/json" } }),
    );
    const proxy = proxyTo({ targets: [fake.target("e1")], settings: { maxResponseBytes: 100_000 } });
    const response = await post(`${proxy.url}/v1/completions`, { model: "m" });
    expect(response.status).toBe(502);
    expect(await proxy.requests[0]?.finished).toMatchObject({
      status: 502,
      errorCode: "gateway_upstream_unavailable",
    });
  });

  test("an error status reports no first token and no usage", async () => {
    const fake = upstream(() =>
      Response.json(
        { error: { message: "bad", type: "BadRequestError", param: null, code: 400 } },
        { status: 400 },
      ),
    );
    const proxy = proxyTo({ targets: [fake.target("e1")] });
    expect((await post(`${proxy.url}/v1/completions`, { model: "m" })).status).toBe(400);
    await proxy.requests[0]?.finished;
    expect(proxy.requests[0]?.events.map((event) => event.kind)).toEqual([
      "attempt",
      "upstream-response",
      "finish",
    ]);
  });
});
