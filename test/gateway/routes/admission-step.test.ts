// Flow control in the generation route, in-process: identity from keys and trusted sources only, 400 for
// malformed trusted headers, catalogued 429/503 rejections with their headers, and exactly one release per
// admitted request, after the other onDone consumer ran.
import { afterAll, describe, expect, test } from "bun:test";
import { FlowSchema } from "../../../src/config/schema/flow.ts";
import {
  type Admission,
  type AdmissionRequest,
  createAdmission,
  createMemoryRateLimitStore,
  createRateLimitAdmission,
  createRateLimiter,
  type TokenUsage,
} from "../../../src/flow/index.ts";
import { createGatewayApp, type GatewayContext } from "../../../src/gateway/index.ts";
import type { EndpointPool } from "../../../src/pool/index.ts";
import { createTestGateway, descriptor, post, startFakeEngine } from "../app-fixture.ts";

const engine = startFakeEngine();
afterAll(() => engine.stop());

const CHAT = { model: "llama", messages: [{ role: "user", content: "hi" }], max_tokens: 4 };
const KEYS =
  'auth.api_keys=[{"name":"plain","key":"sk-plain-key"},{"name":"proxy","key":"sk-proxy-key","trust_flow_headers":true},' +
  '{"name":"batch","key":"sk-batch-key","priority":-1},{"name":"metered","key":"sk-metered-key","rpm":1}]';

/** Records what the gateway asked of admission, and admits everything. */
function recordingAdmission() {
  const requests: AdmissionRequest[] = [];
  const releases: (TokenUsage | undefined)[] = [];
  const admission: Admission = {
    admit: async (request) => {
      requests.push(request);
      return { ok: true, queuedMs: 0, ticket: { release: (usage) => releases.push(usage) } };
    },
    notify() {},
    saturation: () => 0,
    stats: () => ({ queuedRequests: 0, queuedBytes: 0, models: {}, outcomes: {} }),
    close() {},
  };
  return { admission, requests, releases };
}

/** The gateway over one fake engine; `admission` may be built over its pool. */
function gatewayWith(
  admission: Admission | ((pool: EndpointPool) => Admission),
  sets: string[] = [],
  extra: Partial<GatewayContext> = {},
) {
  const gateway = createTestGateway({ sets: [KEYS, ...sets], configured: [{ id: "llama", parent: null }] });
  gateway.pool.upsert(descriptor("e0", engine.url, ["llama"]));
  const config = FlowSchema.parse({ enabled: true, default_ttl_ms: 150 });
  const built = typeof admission === "function" ? admission(gateway.pool) : admission;
  const ctx: GatewayContext = { ...gateway.ctx, flowControl: { admission: built, config }, ...extra };
  return { app: createGatewayApp(ctx), pool: gateway.pool, config };
}

function chat(key: string, headers: Record<string, string> = {}): Request {
  return post("/v1/chat/completions", CHAT, { authorization: `Bearer ${key}`, ...headers });
}

/** Bun's server as server.ts hands it to hono, reporting `address` as the peer. */
function peer(address: string) {
  return { server: { requestIP: () => ({ address, family: "IPv4", port: 40000 }) } };
}

describe("admission step", () => {
  test("takes priority and fairness id from the key and ignores an untrusted caller's headers", async () => {
    const recorded = recordingAdmission();
    const { app } = gatewayWith(recorded.admission);
    const response = await app.request(
      chat("sk-batch-key", { "x-llmux-priority": "bogus", "x-llmux-fairness-id": "someone-else" }),
    );
    expect(response.status).toBe(200);
    expect(recorded.requests[0]).toMatchObject({ priority: -1, fairnessId: "batch", model: "llama" });
    expect(recorded.requests[0]?.sizeBytes).toBe(JSON.stringify(CHAT).length);
    expect(recorded.requests[0]?.ttlMs).toBe(150);
  });

  test("a trusted key's headers set priority and fairness id", async () => {
    const recorded = recordingAdmission();
    const { app } = gatewayWith(recorded.admission);
    await app.request(chat("sk-proxy-key", { "x-llmux-priority": "7", "x-llmux-fairness-id": "tenant-9" }));
    expect(recorded.requests[0]).toMatchObject({ priority: 7, fairnessId: "tenant-9" });
  });

  test("a malformed priority header from a trusted key is a 400 naming the header", async () => {
    const recorded = recordingAdmission();
    const { app } = gatewayWith(recorded.admission);
    const response = await app.request(chat("sk-proxy-key", { "x-llmux-priority": "high" }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; param: string; message: string } };
    expect(body.error).toMatchObject({ code: "gateway_invalid_request", param: "x-llmux-priority" });
    expect(body.error.message).toContain("`x-llmux-priority`");
    expect(recorded.requests).toHaveLength(0);
  });

  test("headers are trusted from a peer inside auth.trusted_networks and ignored from outside it", async () => {
    const recorded = recordingAdmission();
    const { app } = gatewayWith(recorded.admission, ['auth.trusted_networks=["10.0.0.0/8"]']);
    const headers = { "x-llmux-priority": "5" };
    await app.request(chat("sk-plain-key", headers), undefined, peer("::ffff:10.1.2.3"));
    await app.request(chat("sk-plain-key", headers), undefined, peer("192.168.1.1"));
    const bad = await app.request(
      chat("sk-plain-key", { "x-llmux-priority": "x" }),
      undefined,
      peer("10.0.0.1"),
    );
    expect(recorded.requests.map((r) => r.priority)).toEqual([5, 0]);
    expect(bad.status).toBe(400);
  });

  test("passes the SLO headers, llm-d's names included, and refuses a malformed one with 400", async () => {
    const recorded = recordingAdmission();
    const { app } = gatewayWith(recorded.admission);
    await app.request(chat("sk-plain-key", { "x-llm-d-slo-ttft-ms": "250", "x-llmux-slo-tpot-ms": "20" }));
    expect(recorded.requests[0]?.slo).toEqual({ ttftMs: 250, tpotMs: 20 });
    const bad = await app.request(chat("sk-plain-key", { "x-llmux-slo-ttft-ms": "-3" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("x-llmux-slo-ttft-ms");
  });

  test("releases the ticket once with the engine's usage, after the other onDone consumer", async () => {
    const recorded = recordingAdmission();
    const order: string[] = [];
    const { app } = gatewayWith(recorded.admission, [], {
      onRequestDone: () => order.push(`predictor:${recorded.releases.length}`),
    });
    const response = await app.request(chat("sk-plain-key"));
    await response.text();
    expect(recorded.releases).toEqual([{ promptTokens: 5, completionTokens: 2 }]);
    expect(order).toEqual(["predictor:0"]);
  });

  test("a sheddable request on a saturated pool gets 429 with Retry-After and the dropped reason", async () => {
    const { app } = gatewayWith(saturatedAdmission);
    const response = await app.request(chat("sk-batch-key", { "x-request-id": "shed-1" }));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(response.headers.get("x-llmux-request-dropped-reason")).toBe("rejected-saturated");
    expect(response.headers.get("x-request-id")).toBe("shed-1");
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("gateway_rate_limited");
    expect(body.error.message).toContain("saturated");
  });

  test("a queued request that outwaits its TTL gets 429 rejected-ttl-expired", async () => {
    const { app } = gatewayWith(saturatedAdmission);
    const startedMs = performance.now();
    const response = await app.request(chat("sk-plain-key"));
    expect(response.status).toBe(429);
    expect(response.headers.get("x-llmux-request-dropped-reason")).toBe("rejected-ttl-expired");
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(140);
  });

  test("an rpm limit holds with flow disabled: the second request is 429 with Retry-After 60", async () => {
    const rateLimiter = createRateLimiter({
      store: createMemoryRateLimitStore({ now: () => performance.now() }),
      storeTimeoutMs: 50,
    });
    const { app } = gatewayWith(createRateLimitAdmission({ rateLimiter, now: () => performance.now() }));
    expect((await app.request(chat("sk-metered-key"))).status).toBe(200);
    const refused = await app.request(chat("sk-metered-key"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(refused.headers.get("x-llmux-request-dropped-reason")).toBeNull();
    expect((await app.request(chat("sk-plain-key"))).status).toBe(200);
  });
});

/** Full admission whose only detector finds `pool` saturated: its endpoint has no metrics yet. */
function saturatedAdmission(pool: EndpointPool): Admission {
  const created = createAdmission({
    config: FlowSchema.parse({
      enabled: true,
      saturation_detectors: [{ type: "utilization-detector" }],
      dispatch_poll_ms: 20,
    }),
    now: () => performance.now(),
    snapshot: (model) => pool.candidates(model),
  });
  if (!created.ok) throw new Error(JSON.stringify(created.problems));
  return created.admission;
}
