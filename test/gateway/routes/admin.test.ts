// GET /admin/instances: the node's engines with in-flight load, behind the admin key.
import { describe, expect, test } from "bun:test";
import type { AuthConfig } from "../../../src/config/index.ts";
import {
  type AdminInstance,
  createAuthenticator,
  createGatewayApp,
  type GatewayContext,
} from "../../../src/gateway/index.ts";
import { createTestGateway, descriptor } from "../app-fixture.ts";

const INSTANCE: AdminInstance = {
  id: "llama-0",
  model: "meta-llama/Llama-3.1-8B-Instruct",
  engine: "vllm",
  role: "both",
  gpus: [0, 1],
  port: 8100,
  state: "ready",
  pid: 4242,
  restarts: 1,
  uptimeMs: 61_000,
  lastError: "supervisor_engine_exited: killed by SIGKILL",
};

function gatewayWith(auth: Partial<AuthConfig>, instances: readonly object[] = [INSTANCE]) {
  const base = createTestGateway({ auth });
  const config: AuthConfig = { ...base.ctx.auth, ...auth };
  const ctx: GatewayContext = {
    ...base.ctx,
    auth: config,
    authenticator: createAuthenticator(config),
    node: {
      instances: () => instances as AdminInstance[],
      reload: () => ({ outcome: "applied" as const, needRestart: [], problems: [] }),
    },
  };
  return { app: createGatewayApp(ctx), pool: base.pool };
}

function get(path: string, token?: string): Request {
  return new Request(`http://gateway${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

describe("GET /admin/instances", () => {
  test("lists each instance with the gateway's in-flight requests at it", async () => {
    const { app, pool } = gatewayWith({ admin_key: "admin-secret" });
    pool.upsert(descriptor("llama-0", "http://127.0.0.1:8100", ["meta-llama/Llama-3.1-8B-Instruct"]));
    const leases = [pool.acquire("llama-0", 10, 5), pool.acquire("llama-0", 10, 5)];
    const response = await app.request(get("/admin/instances", "admin-secret"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ instances: [{ ...INSTANCE, inFlight: 2 }] });
    for (const lease of leases) lease.release();
  });

  test("shows only the documented fields of a snapshot", async () => {
    const snapshot = { ...INSTANCE, host: "127.0.0.1", kvEventsPort: 5557, lastOutputLine: "Loading" };
    const { app } = gatewayWith({ admin_key: "admin-secret" }, [snapshot]);
    const body = (await (await app.request(get("/admin/instances", "admin-secret"))).json()) as {
      instances: Record<string, unknown>[];
    };
    expect(Object.keys(body.instances[0] ?? {}).sort()).toEqual(
      [...Object.keys(INSTANCE), "inFlight"].sort(),
    );
  });

  test("an empty node (llmux gateway) answers an empty list", async () => {
    const { app } = gatewayWith({}, []);
    const response = await app.request(get("/admin/instances"));
    expect(await response.json()).toEqual({ instances: [] });
  });

  test("a missing or wrong admin key is a 401 gateway_admin_unauthorized", async () => {
    const { app } = gatewayWith({ admin_key: "admin-secret" });
    for (const request of [get("/admin/instances"), get("/admin/instances", "wrong")]) {
      const response = await app.request(request);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="llmux"');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("gateway_admin_unauthorized");
      expect(body.error.message).not.toContain("admin-secret");
    }
  });

  test("with API keys but no admin key, admin stays locked", async () => {
    const { app } = gatewayWith({
      api_keys: [{ name: "team", key: "client-key", priority: 0, trust_flow_headers: false }],
    });
    expect((await app.request(get("/admin/instances", "client-key"))).status).toBe(401);
  });
});
