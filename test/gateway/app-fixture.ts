// Test fixture: the real gateway app over a pool of fake engines (Bun.serve on port 0) that answer
// like vLLM for chat and completions, so app-level behaviour is tested in-process.
import { type AuthConfig, loadConfig } from "../../src/config/index.ts";
import {
  createAuthenticator,
  createGatewayApp,
  createGatewayMetrics,
  type GatewayContext,
} from "../../src/gateway/index.ts";
import { type EndpointDescriptor, EndpointPool } from "../../src/pool/index.ts";
import { createRoundRobinScheduler } from "../../src/scheduler/index.ts";
import { createLogger, createMetricsRegistry } from "../../src/telemetry/index.ts";

export interface FakeEngine {
  readonly url: string;
  readonly requests: Record<string, unknown>[];
  stop(): void;
}

/** An engine that echoes a fixed completion (streaming or not) and records request bodies. */
export function startFakeEngine(): FakeEngine {
  const requests: Record<string, unknown>[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const body = (await request.json()) as Record<string, unknown>;
      requests.push(body);
      const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
      if (body.stream === true) {
        const chunk = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        const usageChunk = `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [], usage })}\n\n`;
        const text = `${chunk({ role: "assistant", content: "" }, null)}${chunk({ content: "hi" }, null)}${chunk({ content: "!" }, "stop")}${usageChunk}data: [DONE]\n\n`;
        return new Response(text, { headers: { "content-type": "text/event-stream" } });
      }
      return Response.json({
        id: "c1",
        object: "chat.completion",
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: "hi!" }, finish_reason: "stop" }],
        usage,
      });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

export function descriptor(
  id: string,
  baseUrl: string,
  models: string[],
  loraAdapters: string[] = [],
): EndpointDescriptor {
  return { id, baseUrl, models, loraAdapters, role: "both", labels: {}, kvEvents: null, source: "static" };
}

export interface TestGateway {
  readonly app: ReturnType<typeof createGatewayApp>;
  readonly ctx: GatewayContext;
  readonly pool: EndpointPool;
  shutDown(): void;
}

/** The real app with `sets` applied to an empty config; `configured` models are promised by config. */
export function createTestGateway(
  options: {
    sets?: string[];
    configured?: { id: string; parent: string | null }[];
    auth?: Partial<AuthConfig>;
  } = {},
): TestGateway {
  const { config } = loadConfig({ env: {}, sets: ["engines=[]", ...(options.sets ?? [])] });
  const pool = new EndpointPool({ now: () => performance.now() });
  const registry = createMetricsRegistry();
  let isShuttingDown = false;
  const ctx: GatewayContext = {
    gateway: config.gateway,
    auth: config.auth,
    pool,
    scheduler: createRoundRobinScheduler(),
    authenticator: createAuthenticator(config.auth),
    logger: createLogger({ level: "silent", format: "json" }),
    registry,
    metrics: createGatewayMetrics(registry, () => pool.totalInFlight()),
    version: "test",
    now: () => performance.now(),
    isAccessLogOn: false,
    readiness: () => ({ isReady: pool.snapshot().length > 0, models: [] }),
    configuredModels: options.configured ?? [],
    node: {
      instances: () => [],
      reload: () => ({
        outcome: "rejected",
        needRestart: [],
        problems: [{ path: "(config)", message: "test" }],
      }),
    },
    isShuttingDown: () => isShuttingDown,
  };
  return {
    app: createGatewayApp(ctx),
    ctx,
    pool,
    shutDown: () => {
      isShuttingDown = true;
    },
  };
}

export function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://gateway${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
