// The engine series are read from the pool at scrape time: scraped load, prefix-cache counters, scrape
// age, in-flight, health and circuit state per instance, and nothing for an engine that left the pool.
import { describe, expect, test } from "bun:test";
import { type EndpointDescriptor, EndpointPool, registerPoolMetrics } from "../../src/pool/index.ts";
import { createMetricsRegistry } from "../../src/telemetry/index.ts";
import { samplesOf } from "../helpers/exposition.ts";

function descriptor(id: string, role: EndpointDescriptor["role"] = "both"): EndpointDescriptor {
  return {
    id,
    baseUrl: `http://127.0.0.1/${id}`,
    models: ["m", "m-alias"],
    loraAdapters: [],
    role,
    labels: {},
    kvEvents: null,
    source: "supervisor",
  };
}

const LOAD = {
  waitingRequests: 3,
  runningRequests: 5,
  kvUsageRatio: 0.25,
  blockSize: 16,
  numGpuBlocks: 100,
  runningLoras: [],
  waitingLoras: [],
  maxLoras: null,
};

function setUp() {
  const now = () => 10_000;
  const pool = new EndpointPool({ now, circuitFailureThreshold: 1, circuitOpenMs: 1000 });
  const registry = createMetricsRegistry();
  registerPoolMetrics(registry, { snapshot: () => pool.snapshot(), now });
  return { pool, registry };
}

/** The samples of `name` as `{labels} value` strings, in exposition order. */
async function samples(registry: ReturnType<typeof createMetricsRegistry>, name: string): Promise<string[]> {
  return samplesOf(await registry.metrics(), name);
}

describe("registerPoolMetrics", () => {
  test("re-exports each engine's scraped load with instance, model and role labels", async () => {
    // The clock stands at 10 000 ms: a scrape at 9 750 ms is 0.25 s old.
    const { pool, registry } = setUp();
    pool.upsert(descriptor("e0"));
    pool.upsert(descriptor("p0", "prefill"));
    pool.setMetrics("e0", {
      ...LOAD,
      prefixCacheQueriedTokens: 640,
      prefixCacheHitTokens: 160,
      scrapedAtMs: 9_750,
    });
    const e0 = '{instance="e0",model="m",role="both"}';
    expect(await samples(registry, "llmux_engine_waiting_requests")).toEqual([`${e0} 3`]);
    expect(await samples(registry, "llmux_engine_running_requests")).toEqual([`${e0} 5`]);
    expect(await samples(registry, "llmux_engine_kv_cache_usage_ratio")).toEqual([`${e0} 0.25`]);
    expect(await samples(registry, "llmux_engine_metrics_age_seconds")).toEqual([`${e0} 0.25`]);
    expect(await samples(registry, "llmux_engine_prefix_cache_queried_tokens_total")).toEqual([`${e0} 640`]);
    expect(await samples(registry, "llmux_engine_prefix_cache_hit_tokens_total")).toEqual([`${e0} 160`]);
  });

  test("an engine never scraped has health and circuit series but no load series", async () => {
    const { pool, registry } = setUp();
    pool.upsert(descriptor("p0", "prefill"));
    const p0 = '{instance="p0",model="m",role="prefill"}';
    expect(await samples(registry, "llmux_engine_waiting_requests")).toEqual([]);
    expect(await samples(registry, "llmux_engine_metrics_age_seconds")).toEqual([]);
    expect(await samples(registry, "llmux_engine_healthy")).toEqual([`${p0} 1`]);
    expect(await samples(registry, "llmux_engine_in_flight_requests")).toEqual([`${p0} 0`]);
  });

  test("health, circuit state and in-flight requests follow the pool", async () => {
    const { pool, registry } = setUp();
    pool.upsert(descriptor("e0"));
    pool.setHealth("e0", false);
    pool.recordFailure("e0");
    const lease = pool.acquire("e0", 100, 10);
    const labels = 'instance="e0",model="m",role="both"';
    expect(await samples(registry, "llmux_engine_healthy")).toEqual([`{${labels}} 0`]);
    expect(await samples(registry, "llmux_engine_in_flight_requests")).toEqual([`{${labels}} 1`]);
    expect(await samples(registry, "llmux_engine_circuit_state")).toEqual([
      `{${labels},state="closed"} 0`,
      `{${labels},state="open"} 1`,
      `{${labels},state="half-open"} 0`,
    ]);
    lease.release();
  });

  test("an engine removed from the pool leaves every series", async () => {
    const { pool, registry } = setUp();
    pool.upsert(descriptor("e0"));
    pool.upsert(descriptor("e1"));
    pool.setMetrics("e0", { ...LOAD, prefixCacheQueriedTokens: 1, scrapedAtMs: 10_000 });
    pool.setMetrics("e1", { ...LOAD, prefixCacheQueriedTokens: 2, scrapedAtMs: 10_000 });
    expect((await registry.metrics()).includes('instance="e1"')).toBe(true);
    pool.remove("e1");
    const text = await registry.metrics();
    expect(text.includes('instance="e1"')).toBe(false);
    expect(await samples(registry, "llmux_engine_prefix_cache_queried_tokens_total")).toEqual([
      '{instance="e0",model="m",role="both"} 1',
    ]);
  });
});
