// The generation route under the disagg profile handler, in-process over fake prefill and decode engines:
// the two legs as vLLM's proxy protocol sends them, fallback, refusal and usage as the client sees it.
import { afterEach, describe, expect, test } from "bun:test";
import type { SchedulerConfig } from "../../src/config/index.ts";
import { createGatewayApp } from "../../src/gateway/index.ts";
import type { EndpointDescriptor } from "../../src/pool/index.ts";
import { createScheduler, createSeededRng } from "../../src/scheduler/index.ts";
import { createTestGateway, post } from "../gateway/app-fixture.ts";
import { type FakePrefillEngine, HELD_PARAMS, startFakePrefill } from "./fake-prefill-engine.ts";

interface FakeDecode {
  readonly url: string;
  readonly bodies: Record<string, unknown>[];
  readonly requestIds: (string | null)[];
  stop(): void;
}

/** A decode engine: streams three tokens and a usage chunk reporting the whole prompt as cached. */
function startFakeDecode(): FakeDecode {
  const bodies: Record<string, unknown>[] = [];
  const requestIds: (string | null)[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      bodies.push((await request.json()) as Record<string, unknown>);
      requestIds.push(request.headers.get("x-request-id"));
      const chunk = (data: object) => `data: ${JSON.stringify(data)}\n\n`;
      const usage = { prompt_tokens: 40, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 40 } };
      const text = `${["a", "b", "c"].map((t) => chunk({ choices: [{ index: 0, delta: { content: t } }] })).join("")}${chunk({ choices: [], usage })}data: [DONE]\n\n`;
      return new Response(text, { headers: { "content-type": "text/event-stream" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, bodies, requestIds, stop: () => server.stop(true) };
}

function pdScheduler(decider: Record<string, unknown>) {
  const config: SchedulerConfig = {
    plugins: [
      { type: "decode-filter" },
      { type: "prefill-filter" },
      { type: "queue-scorer" },
      { name: "decider", ...decider } as SchedulerConfig["plugins"][number],
      { type: "disagg-profile-handler", parameters: { deciders: { prefill: "decider" } } },
    ],
    schedulingProfiles: [
      { name: "decode", plugins: [{ pluginRef: "decode-filter" }, { pluginRef: "queue-scorer" }] },
      { name: "prefill", plugins: [{ pluginRef: "prefill-filter" }, { pluginRef: "queue-scorer" }] },
    ],
    metricsIntervalMs: 100,
    metricsStalenessMs: 2000,
  };
  const created = createScheduler(config, { rng: createSeededRng(3), now: () => performance.now() });
  if (!created.ok) throw new Error(JSON.stringify(created.problems));
  return created.scheduler;
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function role(id: string, url: string, value: "prefill" | "decode"): EndpointDescriptor {
  return {
    id,
    baseUrl: url,
    models: ["m"],
    loraAdapters: [],
    role: value,
    labels: {},
    kvEvents: null,
    source: "static",
  };
}

/** A gateway with one decode engine and the given prefill engines. */
function pdGateway(decider: Record<string, unknown>, prefills: FakePrefillEngine[], sets: string[] = []) {
  const decode = startFakeDecode();
  stops.push(decode.stop, ...prefills.map((p) => p.stop));
  const base = createTestGateway({ sets });
  base.pool.upsert(role("d1", decode.url, "decode"));
  prefills.forEach((p, i) => {
    base.pool.upsert(role(`p${i + 1}`, p.url, "prefill"));
  });
  const ctx = { ...base.ctx, scheduler: pdScheduler(decider) };
  return { app: createGatewayApp(ctx), ctx, decode };
}

const CHAT = {
  model: "m",
  messages: [{ role: "user", content: "tell me a long story ".repeat(100) }],
  stream: true,
  max_tokens: 3,
};

async function metric(ctx: { registry: { metrics(): Promise<string> } }, prefix: string): Promise<string[]> {
  return (await ctx.registry.metrics())
    .split("\n")
    .filter((l) => l.startsWith(prefix) && !l.includes("_bucket"));
}

describe("generation under the disagg profile handler", () => {
  test("a streamed chat runs prefill then decode with one request id, and reports the prefill's cached tokens", async () => {
    const p1 = startFakePrefill();
    const { app, ctx, decode } = pdGateway({ type: "always-disagg-pd-decider" }, [p1]);
    const response = await app.request(post("/v1/chat/completions", CHAT, { "x-request-id": "rid-1" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-llmux-endpoint")).toBe("d1");
    const text = await response.text();
    expect(text).not.toContain('"usage"'); // the client did not ask for usage
    expect(p1.bodies[0]).toMatchObject({ stream: false, max_tokens: 1, max_completion_tokens: 1 });
    expect(p1.bodies[0]).not.toHaveProperty("stream_options");
    expect(decode.bodies[0]).toMatchObject({ stream: true, max_tokens: 3, kv_transfer_params: HELD_PARAMS });
    expect([...p1.requestIds, ...decode.requestIds]).toEqual(["rid-1", "rid-1"]);
    expect(await metric(ctx, "llmux_pd_decisions_total")).toEqual([
      'llmux_pd_decisions_total{decision="prefill-decode"} 1',
    ]);
    expect(await metric(ctx, 'llmux_gateway_tokens_total{model="m",kind="cached"')).toEqual([
      'llmux_gateway_tokens_total{model="m",kind="cached",key="none"} 16',
    ]);
  });

  test("usage the client asked for carries the prefill engine's cached count", async () => {
    const { app } = pdGateway({ type: "always-disagg-pd-decider" }, [startFakePrefill()]);
    const body = { ...CHAT, stream_options: { include_usage: true } };
    const text = await (await app.request(post("/v1/chat/completions", body))).text();
    expect(text).toContain(
      '"usage":{"prompt_tokens":40,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":16}}',
    );
  });

  test("the prefix-based decider serves a short prompt on the decode engine alone", async () => {
    const p1 = startFakePrefill();
    const { app, ctx, decode } = pdGateway(
      { type: "prefix-based-pd-decider", parameters: { nonCachedTokens: 256 } },
      [p1],
    );
    const short = { ...CHAT, messages: [{ role: "user", content: "hi" }] };
    expect((await app.request(post("/v1/chat/completions", short))).status).toBe(200);
    expect(p1.bodies).toEqual([]);
    expect(decode.bodies[0]).not.toHaveProperty("kv_transfer_params");
    expect(await metric(ctx, "llmux_pd_decisions_total")).toEqual([
      'llmux_pd_decisions_total{decision="decode-only"} 1',
    ]);
  });

  test("a prefill 4xx is the client's answer, from the prefill engine", async () => {
    const { app, decode } = pdGateway({ type: "always-disagg-pd-decider" }, [
      startFakePrefill({ status: 400 }),
    ]);
    const response = await app.request(post("/v1/chat/completions", CHAT, { "x-request-id": "rid-2" }));
    expect(response.status).toBe(400);
    expect(response.headers.get("x-llmux-endpoint")).toBe("p1");
    expect(response.headers.get("x-request-id")).toBe("rid-2");
    expect(decode.bodies).toEqual([]);
  });

  test("prefill failing on both engines falls back to the decode engine alone", async () => {
    const failing = [startFakePrefill({ status: 500 }), startFakePrefill({ status: 503 })];
    const { app, ctx, decode } = pdGateway({ type: "always-disagg-pd-decider" }, failing);
    const response = await app.request(post("/v1/chat/completions", CHAT));
    expect(response.status).toBe(200);
    expect(failing.map((p) => p.bodies.length)).toEqual([1, 1]);
    expect(decode.bodies[0]).not.toHaveProperty("kv_transfer_params");
    expect(await metric(ctx, "llmux_pd_fallbacks_total")).toEqual([
      'llmux_pd_fallbacks_total{reason="prefill_failed"} 1',
    ]);
  });

  test("n > 1 is served by the decode engine alone and counted as not disaggregable", async () => {
    const p1 = startFakePrefill();
    const { app, ctx, decode } = pdGateway({ type: "always-disagg-pd-decider" }, [p1]);
    expect((await app.request(post("/v1/chat/completions", { ...CHAT, n: 2 }))).status).toBe(200);
    expect(p1.bodies).toEqual([]);
    expect(decode.bodies[0]).not.toHaveProperty("kv_transfer_params");
    expect(await metric(ctx, "llmux_pd_fallbacks_total")).toEqual([
      'llmux_pd_fallbacks_total{reason="not_disaggregable"} 1',
    ]);
  });

  test("a client's own kv_transfer_params skip the prefill leg", async () => {
    const p1 = startFakePrefill();
    const sets = ["gateway.allow_client_kv_transfer_params=true"];
    const { app, decode } = pdGateway({ type: "always-disagg-pd-decider" }, [p1], sets);
    const own = { ...CHAT, kv_transfer_params: { do_remote_prefill: true } };
    expect((await app.request(post("/v1/chat/completions", own))).status).toBe(200);
    expect(p1.bodies).toEqual([]);
    expect(decode.bodies[0]?.kv_transfer_params).toEqual({ do_remote_prefill: true });
  });
});
