// forwardRequest before the first byte: retries on connect failures and 502/503/504 on another
// endpoint, relays every other status as the engine's answer, and maps exhaustion to catalogued errors.
import { afterEach, describe, expect, test } from "bun:test";
import { chatToken, DONE, type FakeUpstream, sseResponse, startFakeUpstream } from "./fake-upstream.ts";
import { deadPort, type ProxyServer, post, startProxy } from "./proxy-fixture.ts";

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

const healthy = () => upstream(() => sseResponse([chatToken("ok"), DONE]));
const failing = (status: number) =>
  upstream(() => new Response(JSON.stringify({ error: { message: "busy" } }), { status }));

describe("forwardRequest retries", () => {
  test("a refused connection is retried on the next endpoint, which is then excluded", async () => {
    const good = healthy();
    const dead = { endpointId: "dead", baseUrl: `http://127.0.0.1:${deadPort()}` };
    const proxy = proxyTo({ targets: [dead, good.target("good")] });
    const response = await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-llmux-endpoint")).toBe("good");
    expect(await response.text()).toBe(chatToken("ok") + DONE);
    const request = proxy.requests[0];
    expect(await request?.finished).toMatchObject({ status: 200, endpointId: "good", attempts: 2 });
    expect(request?.events.slice(0, 3)).toEqual([
      { kind: "attempt", endpointId: "dead", attempt: 1 },
      { kind: "attempt-failed", endpointId: "dead", reason: "connect_refused", status: null },
      { kind: "attempt", endpointId: "good", attempt: 2 },
    ]);
    expect(request?.excludedSeen).toEqual([[], ["dead"]]);
  });

  test.each([502, 503, 504])("a %d before the first byte is retried elsewhere", async (status) => {
    const busy = failing(status);
    const good = healthy();
    const proxy = proxyTo({ targets: [busy.target("busy"), good.target("good")] });
    const response = await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(chatToken("ok") + DONE);
    expect(proxy.requests[0]?.events[1]).toEqual({
      kind: "attempt-failed",
      endpointId: "busy",
      reason: `http_${status}`,
      status,
    });
  });

  test("when every attempt fails the client gets 502 gateway_upstream_unavailable", async () => {
    const targets = [
      failing(503).target("a"),
      failing(502).target("b"),
      failing(503).target("c"),
      healthy().target("d"),
    ];
    const proxy = proxyTo({ targets, settings: { maxAttempts: 3 } });
    const response = await post(`${proxy.url}/v1/chat/completions`, { model: "m" });
    expect(response.status).toBe(502);
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "gateway_upstream_unavailable",
    );
    expect(await proxy.requests[0]?.finished).toMatchObject({
      status: 502,
      attempts: 3,
      endpointId: "c",
      errorCode: "gateway_upstream_unavailable",
    });
  });

  test("running out of endpoints after failures is 502, with no endpoint at all it is 503 with Retry-After", async () => {
    const proxy = proxyTo({ targets: [failing(503).target("only")] });
    const exhausted = await post(`${proxy.url}/v1/completions`, { model: "m" });
    expect(exhausted.status).toBe(502);
    const empty = proxyTo({ targets: [] });
    const none = await post(`${empty.url}/v1/completions`, { model: "m" });
    expect(none.status).toBe(503);
    expect(none.headers.get("retry-after")).toBe("1");
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("gateway_no_endpoint");
    expect(await empty.requests[0]?.finished).toMatchObject({
      attempts: 0,
      endpointId: null,
      errorCode: "gateway_no_endpoint",
    });
  });

  test("backs off between attempts: initialBackoffMs doubling, with jitter in [50 %, 100 %]", async () => {
    const targets = [failing(503).target("a"), failing(503).target("b"), failing(503).target("c")];
    const proxy = proxyTo({ targets, settings: { initialBackoffMs: 100, maxBackoffMs: 150 } });
    const started = performance.now();
    expect((await post(`${proxy.url}/v1/completions`, { model: "m" })).status).toBe(502);
    // Two waits: [50, 100] ms then [75, 150] ms.
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeGreaterThanOrEqual(120);
    expect(elapsedMs).toBeLessThan(1000);
  });

  test.each([400, 401, 404, 429, 500])(
    "a %d is the engine's answer: relayed as is, not retried",
    async (status) => {
      const body = JSON.stringify({
        error: { message: `engine said ${status}`, type: "X", param: null, code: status },
      });
      const engine = upstream(
        () =>
          new Response(body, { status, headers: { "content-type": "application/json", "x-engine": "1" } }),
      );
      const spare = healthy();
      const proxy = proxyTo({ targets: [engine.target("e1"), spare.target("e2")] });
      const response = await post(`${proxy.url}/v1/chat/completions`, { model: "m", stream: true });
      expect(response.status).toBe(status);
      expect(await response.text()).toBe(body);
      expect(response.headers.get("x-engine")).toBe("1");
      expect(response.headers.get("x-llmux-endpoint")).toBe("e1");
      expect(spare.received).toHaveLength(0);
      expect(await proxy.requests[0]?.finished).toMatchObject({ status, attempts: 1, errorCode: null });
    },
  );

  test("an engine that never answers hits the total timeout: 504, and the attempt counts as failed", async () => {
    const stuck = upstream(() => new Promise<Response>(() => {}));
    const proxy = proxyTo({ targets: [stuck.target("stuck")], settings: { totalTimeoutMs: 300 } });
    const response = await post(`${proxy.url}/v1/completions`, { model: "m" });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "gateway_upstream_timeout",
    );
    expect(proxy.requests[0]?.events).toContainEqual({
      kind: "attempt-failed",
      endpointId: "stuck",
      reason: "timeout",
      status: null,
    });
  });
});
