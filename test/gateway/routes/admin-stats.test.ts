// GET /admin/stats: the dashboard's one document (live series, headline numbers, engines joined from
// the pool and the supervisor, recent decisions, P/D and flow state), behind the admin key.
import { afterAll, describe, expect, test } from "bun:test";
import { type AuthConfig, loadConfig } from "../../../src/config/index.ts";
import { FlowSchema } from "../../../src/config/schema/flow.ts";
import type { Admission } from "../../../src/flow/index.ts";
import type { StatsView } from "../../../src/gateway/dashboard/stats-view.ts";
import {
  type AdminInstance,
  createAuthenticator,
  createGatewayApp,
  type GatewayContext,
  GatewayStats,
} from "../../../src/gateway/index.ts";
import type { EndpointRole } from "../../../src/pool/index.ts";
import { createScheduler, createSeededRng } from "../../../src/scheduler/index.ts";
import { createTestGateway, descriptor, post, startFakeEngine } from "../app-fixture.ts";

const T0 = 1_700_000_000_000;
const engine = startFakeEngine();
afterAll(() => engine.stop());

/** The real app with live stats, the default plugin scheduler and a hand-moved clock. */
function gatewayWith(
  options: {
    auth?: Partial<AuthConfig>;
    instances?: AdminInstance[];
    hasStats?: boolean;
    flowControl?: GatewayContext["flowControl"];
  } = {},
) {
  const base = createTestGateway({ auth: options.auth ?? {} });
  const auth: AuthConfig = { ...base.ctx.auth, ...options.auth };
  const clock = { ms: T0 };
  const now = () => clock.ms;
  const { config } = loadConfig({ env: {}, sets: ["engines=[]"] });
  const built = createScheduler(config.scheduler, { rng: createSeededRng(7), now });
  if (!built.ok) throw new Error("the default scheduler config was rejected");
  const ctx: GatewayContext = {
    ...base.ctx,
    auth,
    authenticator: createAuthenticator(auth),
    scheduler: built.scheduler,
    now,
    node: { instances: () => options.instances ?? [], reload: base.ctx.node.reload },
    ...(options.hasStats === false ? {} : { stats: new GatewayStats() }),
    ...(options.flowControl === undefined ? {} : { flowControl: options.flowControl }),
  };
  return { app: createGatewayApp(ctx), pool: base.pool, clock };
}

function addEngine(pool: ReturnType<typeof gatewayWith>["pool"], id: string, role: EndpointRole = "both") {
  pool.upsert({ ...descriptor(id, engine.url, ["m"]), role });
}

async function stats(
  app: ReturnType<typeof gatewayWith>["app"],
  query = "",
  token?: string,
): Promise<Response> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return app.request(new Request(`http://gateway/admin/stats${query}`, { headers }));
}

async function chat(app: ReturnType<typeof gatewayWith>["app"]): Promise<string> {
  const response = await app.request(
    post("/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "hi" }] }),
  );
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get("x-request-id") ?? "";
}

const INSTANCE: AdminInstance = {
  id: "llama-0",
  model: "meta-llama/Llama-3.1-8B-Instruct",
  engine: "vllm",
  role: "both",
  gpus: [0, 1],
  port: 8100,
  state: "starting",
  pid: 4242,
  restarts: 2,
  uptimeMs: 5_000,
  lastError: "supervisor_engine_exited: killed by SIGKILL",
};

describe("GET /admin/stats access", () => {
  test("is open on a gateway without keys", async () => {
    expect((await stats(gatewayWith().app)).status).toBe(200);
  });

  test("a missing or wrong admin key is a 401 gateway_admin_unauthorized", async () => {
    const { app } = gatewayWith({ auth: { admin_key: "admin-secret" } });
    for (const token of [undefined, "wrong"]) {
      const response = await stats(app, "", token);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        "gateway_admin_unauthorized",
      );
    }
    expect((await stats(app, "", "admin-secret")).status).toBe(200);
  });

  test.each([
    ["?window_s=5", "window_s"],
    ["?window_s=901", "window_s"],
    ["?step_s=0", "step_s"],
    ["?step_s=61", "step_s"],
    ["?decisions=257", "decisions"],
    ["?decisions=ten", "decisions"],
  ])("rejects %s as gateway_invalid_request on %s", async (query, param) => {
    const response = await stats(gatewayWith().app, query);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe(param);
  });
});

describe("GET /admin/stats content", () => {
  test("a served request shows in the summary, the series and its engine's row", async () => {
    const { app, pool, clock } = gatewayWith();
    addEngine(pool, "e0");
    await chat(app);
    clock.ms += 1000; // the request's second is complete
    const body = (await (await stats(app, "?window_s=60&step_s=1")).json()) as StatsView;
    expect(body.summary?.requests).toBe(1);
    expect(body.summary?.byStatus["2xx"]).toBe(1);
    expect(body.summary?.tokens).toEqual({ prompt: 5, completion: 2, cached: 0 });
    expect(body.series?.points).toBe(60);
    expect(body.series?.requests["2xx"].at(-1)).toBe(1);
    expect(body.series?.startMs).toBe(T0 - 59_000);
    const [row] = body.engines;
    expect(row).toMatchObject({
      id: "e0",
      state: "ready",
      servedRequests: 1,
      cacheHitRatio: 0,
      source: "static",
    });
    expect(row?.inFlight).toEqual({ requests: 0, prefillTokens: 0, decodeTokens: 0 });
    expect(body.inFlight).toBe(0);
  });

  test("engines join supervised instances (starting ones too) with the pool's other endpoints", async () => {
    const { app, pool } = gatewayWith({ instances: [INSTANCE] });
    addEngine(pool, "remote-0");
    const body = (await (await stats(app)).json()) as StatsView;
    expect(body.engines.map((e) => [e.id, e.state, e.source])).toEqual([
      ["llama-0", "starting", "supervisor"],
      ["remote-0", "ready", "static"],
    ]);
    expect(body.engines[0]).toMatchObject({
      gpus: [0, 1],
      restarts: 2,
      uptimeMs: 5_000,
      waiting: null,
      kvUsageRatio: null,
    });
    expect(body.engines[1]).toMatchObject({ gpus: [], restarts: null, isHealthy: true, circuit: "closed" });
  });

  test("decisions are the scheduler's newest first, as many as asked", async () => {
    const { app, pool } = gatewayWith();
    addEngine(pool, "e0");
    addEngine(pool, "e1");
    const ids = [await chat(app), await chat(app), await chat(app)];
    const body = (await (await stats(app, "?decisions=2")).json()) as StatsView;
    expect(body.decisions.map((d) => d.requestId)).toEqual([ids[2], ids[1]]);
    expect(Object.keys(body.decisions[0]?.scores ?? {}).sort()).toEqual(["e0", "e1"]);
    expect(((await (await stats(app, "?decisions=0")).json()) as StatsView).decisions).toEqual([]);
  });

  test("P/D is null without prefill or decode engines and counts them when present", async () => {
    const plain = gatewayWith();
    addEngine(plain.pool, "e0");
    expect(((await (await stats(plain.app)).json()) as StatsView).pd).toBeNull();
    const split = gatewayWith();
    addEngine(split.pool, "p0", "prefill");
    addEngine(split.pool, "d0", "decode");
    addEngine(split.pool, "d1", "decode");
    const body = (await (await stats(split.app)).json()) as StatsView;
    expect(body.pd).toEqual({ prefillEngines: 1, decodeEngines: 2, splitDecisions: 0, shownDecisions: 0 });
    expect(body.flow).toBeNull();
  });

  test("flow control's queues, saturation and outcomes are listed as facts when it runs", async () => {
    const admission: Admission = {
      admit: async () => ({ ok: true, queuedMs: 0, ticket: { release() {} } }),
      notify() {},
      saturation: () => 1.5,
      stats: () => ({
        queuedRequests: 3,
        queuedBytes: 4096,
        models: { llama: { queued: 3, bands: { "0": 2, "-1": 1 }, inFlight: 8, saturation: 1.234 } },
        outcomes: { admitted: 10, flow_rejected_saturated: 4 },
      }),
      close() {},
    };
    const config = FlowSchema.parse({ enabled: true });
    const { app } = gatewayWith({ flowControl: { admission, config } });
    const body = (await (await stats(app)).json()) as StatsView;
    expect(body.flow).toEqual({
      mode: "queueing (flow.enabled)",
      "queued requests": 3,
      "queued bytes": 4096,
      "llama: in flight": 8,
      "llama: saturation": 1.23,
      "llama: queued at priority 0": 2,
      "llama: queued at priority -1": 1,
      admitted: 10,
      flow_rejected_saturated: 4,
    });
  });

  test("a node that keeps no statistics answers null series and summary, engines still listed", async () => {
    const { app, pool } = gatewayWith({ hasStats: false });
    addEngine(pool, "e0");
    const body = (await (await stats(app)).json()) as StatsView;
    expect(body.series).toBeNull();
    expect(body.summary).toBeNull();
    expect(body.engines.map((e) => e.id)).toEqual(["e0"]);
  });
});
