import { afterAll, describe, expect, test } from "bun:test";
import { createTestGateway, descriptor, post, startFakeEngine } from "./app-fixture.ts";

const engines = [startFakeEngine(), startFakeEngine()];
afterAll(() => {
  for (const engine of engines) engine.stop();
});

function gatewayWithEngines(sets: string[] = []) {
  const gateway = createTestGateway({ sets, configured: [{ id: "llama", parent: null }] });
  gateway.pool.upsert(descriptor("e0", engines[0]?.url ?? "", ["llama"], ["sql-lora"]));
  gateway.pool.upsert(descriptor("e1", engines[1]?.url ?? "", ["llama"]));
  return gateway;
}

const CHAT = { model: "llama", messages: [{ role: "user", content: "hi" }], max_tokens: 4 };

describe("gateway app", () => {
  test("relays a chat completion and names the endpoint that served it", async () => {
    const { app } = gatewayWithEngines();
    const response = await app.request(post("/v1/chat/completions", CHAT, { "x-request-id": "req-1" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(["e0", "e1"]).toContain(response.headers.get("x-llmux-endpoint") ?? "");
    expect(((await response.json()) as { choices: unknown[] }).choices).toHaveLength(1);
  });

  test("asks the engine for usage on streams but hides the usage chunk from a client that did not ask", async () => {
    const { app } = gatewayWithEngines();
    const before = (engines[0]?.requests.length ?? 0) + (engines[1]?.requests.length ?? 0);
    const response = await app.request(post("/v1/chat/completions", { ...CHAT, stream: true }));
    const text = await response.text();
    expect(text).not.toContain('"usage"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const sent = [...(engines[0]?.requests ?? []), ...(engines[1]?.requests ?? [])].slice(before);
    expect(sent[0]?.stream_options).toEqual({ include_usage: true });
  });

  test("x-llmux-debug: 1 returns the scores behind the choice", async () => {
    const { app } = gatewayWithEngines();
    const response = await app.request(post("/v1/chat/completions", CHAT, { "x-llmux-debug": "1" }));
    const route = JSON.parse(response.headers.get("x-llmux-route") ?? "{}") as {
      winner: string;
      scores: object;
    };
    expect(route.winner).toBe(response.headers.get("x-llmux-endpoint") ?? "");
    expect(Object.keys(route.scores).sort()).toEqual(["e0", "e1"]);
  });

  test("an unknown model is a 404 naming the available models, including adapters", async () => {
    const { app } = gatewayWithEngines();
    const response = await app.request(post("/v1/chat/completions", { ...CHAT, model: "gpt-9" }));
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string; code: string; param: string } };
    expect(body.error).toMatchObject({ code: "gateway_model_not_found", param: "model" });
    expect(body.error.message).toContain("llama, sql-lora");
  });

  test("a LoRA adapter name routes to its base model's engines", async () => {
    const { app } = gatewayWithEngines();
    const response = await app.request(post("/v1/chat/completions", { ...CHAT, model: "sql-lora" }));
    expect(response.status).toBe(200);
  });

  test("a configured model whose engines are still starting gets 503 with Retry-After", async () => {
    const gateway = createTestGateway({ configured: [{ id: "llama", parent: null }] });
    const response = await gateway.app.request(post("/v1/chat/completions", CHAT));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).not.toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("gateway_no_endpoint");
  });

  test("a request without a model goes to the only model there is", async () => {
    const { app } = gatewayWithEngines();
    const response = await app.request(post("/v1/chat/completions", { messages: CHAT.messages }));
    expect(response.status).toBe(200);
  });

  test("/v1/models lists base models and adapters once, adapters with their parent", async () => {
    const { app } = gatewayWithEngines();
    const body = (await (await app.request("/v1/models")).json()) as {
      data: { id: string; parent: string | null }[];
    };
    expect(body.data.map((m) => [m.id, m.parent])).toEqual([
      ["llama", null],
      ["sql-lora", "llama"],
    ]);
  });

  test("API keys are enforced, and a key limited to other models gets 403", async () => {
    const { app } = gatewayWithEngines([
      'auth.api_keys=[{"name":"a","key":"sk-aaaaaaaa"},{"name":"b","key":"sk-bbbbbbbb","models":["qwen"]}]',
    ]);
    expect((await app.request(post("/v1/chat/completions", CHAT))).status).toBe(401);
    const wrong = await app.request(
      post("/v1/chat/completions", CHAT, { authorization: "Bearer sk-nope-nope" }),
    );
    expect(wrong.status).toBe(401);
    const ok = await app.request(post("/v1/chat/completions", CHAT, { authorization: "Bearer sk-aaaaaaaa" }));
    expect(ok.status).toBe(200);
    const forbidden = await app.request(
      post("/v1/chat/completions", CHAT, { authorization: "Bearer sk-bbbbbbbb" }),
    );
    expect(forbidden.status).toBe(403);
  });

  test.each([
    ["invalid JSON", "{", 400, "gateway_invalid_json"],
    ["a JSON array", "[]", 400, "gateway_invalid_request"],
    ["messages missing", { model: "llama" }, 400, "gateway_invalid_request"],
    [
      "stream_options without stream",
      { ...CHAT, stream_options: { include_usage: true } },
      400,
      "gateway_invalid_request",
    ],
    [
      "kv_transfer_params from a client",
      { ...CHAT, kv_transfer_params: {} },
      400,
      "gateway_kv_transfer_params_forbidden",
    ],
  ])("%s is a 4xx in OpenAI's shape through the real app", async (_name, body, status, code) => {
    const { app } = gatewayWithEngines();
    const response = await app.request(post("/v1/chat/completions", body));
    expect(response.status).toBe(status);
    const error = ((await response.json()) as { error: Record<string, unknown> }).error;
    expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(error.code).toBe(code);
    expect(response.headers.get("x-request-id")).not.toBeNull();
  });

  test("wrong method and unknown routes answer in OpenAI's shape", async () => {
    const { app } = gatewayWithEngines();
    expect((await app.request("/v1/chat/completions")).status).toBe(405);
    const missing = await app.request("/v2/nothing");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      "gateway_route_not_found",
    );
  });

  test("during shutdown new requests get 503", async () => {
    const gateway = gatewayWithEngines();
    gateway.shutDown();
    const response = await gateway.app.request(post("/v1/chat/completions", CHAT));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("gateway_shutting_down");
  });

  test("/metrics counts requests by model, endpoint and status", async () => {
    const { app } = gatewayWithEngines();
    await app.request(post("/v1/chat/completions", CHAT));
    const text = await (await app.request("/metrics")).text();
    expect(text).toMatch(
      /llmux_gateway_requests_total\{model="llama",endpoint="e[01]",status="200",key="none"\} 1/,
    );
    expect(text).toContain("llmux_gateway_ttft_seconds_count");
  });
});

describe("admin API", () => {
  test("GET /admin/decisions returns recent decisions with their scores", async () => {
    const { app } = gatewayWithEngines();
    await app.request(post("/v1/chat/completions", CHAT));
    const response = await app.request("/admin/decisions?limit=5");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { decisions: unknown[] };
    expect(Array.isArray(body.decisions)).toBe(true);
    expect((await app.request("/admin/decisions?limit=abc")).status).toBe(400);
  });

  test("POST /admin/reload reports a rejected reload with 422 and its problems", async () => {
    const { app } = gatewayWithEngines();
    const response = await app.request(new Request("http://gateway/admin/reload", { method: "POST" }));
    expect(response.status).toBe(422);
    expect(((await response.json()) as { outcome: string }).outcome).toBe("rejected");
  });
});
