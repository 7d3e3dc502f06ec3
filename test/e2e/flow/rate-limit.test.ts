// Per-key rate limits through `llmux up` with real sims: an rpm limit holds with flow control off (limits
// are enforced either way), and with flow.redis_url two gateways share one budget (real redis-server).
import { afterAll, describe, expect, test } from "bun:test";
import { startRedis } from "../../flow/rate-limit/redis-server.ts";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import { streamCompletion } from "./flow-clients.ts";

const ENGINES = [{ model: "e2e-model", replicas: 1, extra_args: ["--sim-profile", "tiny-cpu"] }];
const KEYS = [
  { name: "metered", key: "sk-metered-e2e", rpm: 3 },
  { name: "free", key: "sk-free-e2e" },
];
const hasRedis = Bun.which("redis-server") !== null;

function node(config: Record<string, unknown> = {}): Promise<LlmuxProcess> {
  return startLlmux({
    engines: ENGINES,
    config: { auth: { api_keys: KEYS }, supervisor: { sim_args: ["--sim-startup-delay", "0"] }, ...config },
  });
}

function send(llmux: LlmuxProcess, key: string) {
  return streamCompletion(llmux.url, { key, promptWords: 10, maxTokens: 2 });
}

describe("rate limits through the gateway", () => {
  const started: LlmuxProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map((llmux) => llmux.stop()));
  });

  test("an rpm limit holds with flow control off: 429, Retry-After, no dropped reason; other keys unaffected", async () => {
    const llmux = await node();
    started.push(llmux);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(llmux, "sk-metered-e2e")).status);
    const refused = await send(llmux, "sk-metered-e2e");
    expect(statuses).toEqual([200, 200, 200]);
    expect(refused).toMatchObject({ status: 429, errorCode: "gateway_rate_limited", droppedReason: null });
    // One request per 20 s refills at 3 rpm.
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(20);
    expect((await send(llmux, "sk-free-e2e")).status).toBe(200);
  }, 30_000);

  test.skipIf(!hasRedis)(
    "two gateways sharing Redis share one rpm budget",
    async () => {
      const redis = await startRedis();
      const nodes: LlmuxProcess[] = [];
      try {
        const flow = { redis_url: redis.url, redis_key_prefix: `llmux-e2e-${process.pid}:` };
        const [a, b] = await Promise.all([node({ flow }), node({ flow })]);
        if (a === undefined || b === undefined) throw new Error("nodes did not start");
        nodes.push(a, b);
        const statuses = [
          (await send(a, "sk-metered-e2e")).status,
          (await send(b, "sk-metered-e2e")).status,
          (await send(a, "sk-metered-e2e")).status,
        ];
        const fourth = await send(b, "sk-metered-e2e");
        expect(statuses).toEqual([200, 200, 200]);
        // Each gateway saw fewer than 3 requests: only the shared counter can refuse the fourth.
        expect(fourth).toMatchObject({ status: 429, errorCode: "gateway_rate_limited" });
        expect((await send(a, "sk-metered-e2e")).status).toBe(429);
      } finally {
        // The gateways first, so none of them logs a lost Redis on its way out.
        await Promise.all(nodes.map((llmux) => llmux.stop()));
        await redis.stop();
      }
    },
    30_000,
  );
});
