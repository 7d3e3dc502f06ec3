// Flow control as the node builds it: full admission over the pool when enabled (woken by scrapes),
// rate limits alone when not, config problems reported instead of starting, metrics, and close.
import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { startFlowControl } from "../../src/cli/flow-setup.ts";
import { loadConfig } from "../../src/config/index.ts";
import { type EndpointDescriptor, EndpointPool, type EngineMetrics } from "../../src/pool/index.ts";
import { createLogger, createMetricsRegistry } from "../../src/telemetry/index.ts";

const DESCRIPTOR: EndpointDescriptor = {
  id: "e0",
  baseUrl: "http://127.0.0.1:1",
  models: ["m"],
  loraAdapters: [],
  role: "both",
  labels: {},
  kvEvents: null,
  source: "static",
};

function idleMetrics(scrapedAtMs: number): EngineMetrics {
  return {
    waitingRequests: 0,
    runningRequests: 0,
    kvUsageRatio: 0,
    blockSize: 16,
    numGpuBlocks: 100,
    runningLoras: [],
    waitingLoras: [],
    maxLoras: null,
    scrapedAtMs,
  };
}

function setup(sets: string[]) {
  const { config } = loadConfig({ env: {}, sets: ["engines=[]", ...sets] });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const now = () => performance.now();
  const pool = new EndpointPool({ now });
  const registry = createMetricsRegistry();
  const logger = createLogger({ level: "info", format: "json", destination });
  return { pool, registry, lines, start: () => startFlowControl({ config, pool, registry, logger, now }) };
}

const REQUEST = {
  requestId: "r1",
  model: "m",
  priority: 0,
  fairnessId: "f",
  sizeBytes: 10,
  promptTokens: 10,
  expectedOutputTokens: 10,
};

describe("startFlowControl", () => {
  test("enabled: a request queued on a saturated pool is dispatched when a scrape lands, not at the next poll", async () => {
    const { pool, registry, start } = setup([
      "flow.enabled=true",
      "flow.dispatch_poll_ms=1000",
      'flow.saturation_detectors=[{"type":"utilization-detector","parameters":{"metricsStalenessMs":60000}}]',
    ]);
    pool.upsert(DESCRIPTOR);
    const flow = await start();
    if (flow === null) throw new Error("expected flow control");
    // No metrics yet: the utilization detector counts the endpoint as saturated.
    const pending = flow.flowControl.admission.admit(REQUEST);
    expect(await registry.getSingleMetricAsString("llmux_flow_queue_size")).toContain(
      'llmux_flow_queue_size{model="m",priority="0"} 1',
    );
    const startedMs = performance.now();
    pool.setMetrics("e0", idleMetrics(performance.now()));
    const result = await pending;
    expect(result.ok).toBe(true);
    expect(performance.now() - startedMs).toBeLessThan(500);
    expect(await registry.getSingleMetricAsString("llmux_flow_requests_total")).toContain(
      'llmux_flow_requests_total{outcome="admitted_after_queue"} 1',
    );
    flow.close();
  });

  test("close refuses what is queued with flow_shutting_down", async () => {
    const { pool, start } = setup(["flow.enabled=true"]);
    pool.upsert(DESCRIPTOR);
    const flow = await start();
    if (flow === null) throw new Error("expected flow control");
    const pending = flow.flowControl.admission.admit(REQUEST);
    flow.close();
    const result = await pending;
    expect(result.ok ? null : result.rejection.code).toBe("flow_shutting_down");
  });

  test("disabled: no queueing, rate limits still enforced", async () => {
    const { start } = setup([]);
    const flow = await start();
    if (flow === null) throw new Error("expected flow control");
    const limited = { ...REQUEST, rateLimits: { key: "k", rpm: 1, tpm: null } };
    // No endpoint at all: full admission would queue; the rate-limit admission lets it through.
    expect((await flow.flowControl.admission.admit(limited)).ok).toBe(true);
    const refused = await flow.flowControl.admission.admit(limited);
    expect(refused.ok ? null : refused.rejection.code).toBe("flow_rate_limited_requests");
    flow.close();
  });

  test("an unknown policy is reported with its path and nothing starts", async () => {
    const { start, lines } = setup([
      "flow.enabled=true",
      'flow.fairness_policy={"type":"lottery-fairness-policy"}',
    ]);
    expect(await start()).toBeNull();
    const logged = lines.map((l) => JSON.parse(l) as { level: string; problems?: { path: string }[] });
    expect(logged.find((l) => l.level === "fatal")?.problems?.[0]?.path).toBe("flow.fairness_policy.type");
  });
});
