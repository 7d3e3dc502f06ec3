// The metrics scraper against fake engines served by Bun.serve: interval, no overlapping scrapes,
// pool membership, failure logging and backoff, stop.
import { afterEach, describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import {
  type EndpointDescriptor,
  EndpointPool,
  type FetchLike,
  type MetricsScraper,
  type MetricsScraperOptions,
  startMetricsScraper,
} from "../../../src/pool/index.ts";
import { createLogger } from "../../../src/telemetry/index.ts";

type Behaviour = "ok" | "slow" | "error" | "not-vllm" | "partial" | "garbage";

const PAGE = [
  "# TYPE vllm:num_requests_running gauge",
  "vllm:num_requests_running 2.0",
  "# TYPE vllm:num_requests_waiting gauge",
  "vllm:num_requests_waiting 5.0",
  "# TYPE vllm:kv_cache_usage_perc gauge",
  "vllm:kv_cache_usage_perc 0.5",
  "# TYPE vllm:cache_config_info gauge",
  'vllm:cache_config_info{block_size="16",num_gpu_blocks="100"} 1.0',
  "",
].join("\n");

/** Fake engines on one port: /<id>/metrics answers as behaviours[id] says and counts hits. */
function fakeEngines() {
  const behaviours = new Map<string, Behaviour>();
  const hits = new Map<string, number>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const id = new URL(request.url).pathname.split("/")[1] ?? "";
      hits.set(id, (hits.get(id) ?? 0) + 1);
      const behaviour = behaviours.get(id) ?? "ok";
      if (behaviour === "error") return new Response("boom", { status: 500 });
      if (behaviour === "not-vllm") return new Response("# TYPE up gauge\nup 1\n");
      if (behaviour === "partial") return new Response(PAGE.split("# TYPE vllm:cache_config_info")[0]);
      if (behaviour === "garbage") return new Response(`${PAGE}!!! not a line\n`);
      if (behaviour === "slow") {
        await new Promise((done) => {
          request.signal.addEventListener("abort", done);
          setTimeout(done, 2000);
        });
      }
      return new Response(PAGE, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
    },
  });
  return {
    behaviours,
    hits: (id: string) => hits.get(id) ?? 0,
    baseUrl: (id: string) => `http://127.0.0.1:${server.port}/${id}`,
    stop: () => server.stop(true),
  };
}

function descriptor(id: string, baseUrl: string): EndpointDescriptor {
  return {
    id,
    baseUrl,
    models: ["m"],
    loraAdapters: [],
    role: "both",
    labels: {},
    kvEvents: null,
    source: "static",
  };
}

function logCapture() {
  const records: { level: string; msg: string; [key: string]: unknown }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line !== "") records.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: "debug", format: "json", destination }), records };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setup(overrides: Partial<MetricsScraperOptions> = {}, ids: readonly string[] = ["e0"]) {
  const engines = fakeEngines();
  const pool = new EndpointPool({ now: () => performance.now() });
  for (const id of ids) pool.upsert(descriptor(id, engines.baseUrl(id)));
  const logs = logCapture();
  const start = (extra: Partial<MetricsScraperOptions> = {}): MetricsScraper => {
    const scraper = startMetricsScraper({
      pool,
      intervalMs: 50,
      timeoutMs: 500,
      now: () => performance.now(),
      logger: logs.logger,
      ...overrides,
      ...extra,
    });
    cleanups.push(() => scraper.stop());
    return scraper;
  };
  cleanups.push(() => engines.stop());
  const metricsOf = (id: string) => pool.snapshot().find((s) => s.descriptor.id === id)?.metrics ?? null;
  const logged = (msg: string) => logs.records.filter((record) => record.msg === msg);
  return { engines, pool, start, metricsOf, logged };
}

describe("startMetricsScraper", () => {
  test("rejects an interval below 25 ms and a non-positive timeout", () => {
    const { start } = setup();
    expect(() => start({ intervalMs: 24 })).toThrow(RangeError);
    expect(() => start({ timeoutMs: 0 })).toThrow(RangeError);
    expect(start({ intervalMs: 25 }).stats().endpoints).toBe(1);
  });

  test("stores the extracted metrics stamped with the gateway clock when the page was read", async () => {
    let clockMs = 1000;
    const fetchImpl: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      clockMs = 2000;
      return response;
    };
    const { start, metricsOf } = setup({ now: () => clockMs, fetchImpl });
    start();
    await until(() => metricsOf("e0") !== null);
    expect(metricsOf("e0")).toEqual({
      waitingRequests: 5,
      runningRequests: 2,
      kvUsageRatio: 0.5,
      blockSize: 16,
      numGpuBlocks: 100,
      runningLoras: [],
      waitingLoras: [],
      maxLoras: null,
      scrapedAtMs: 2000,
    });
  });

  test("scrapes each endpoint once per interval", async () => {
    const { start, engines } = setup({ intervalMs: 50 }, ["e0", "e1"]);
    const scraper = start();
    await Bun.sleep(520);
    scraper.stop();
    // One scrape at start, then one per 50 ms tick: 11 in 520 ms, with slack for timer jitter.
    for (const id of ["e0", "e1"]) {
      expect(engines.hits(id)).toBeGreaterThanOrEqual(8);
      expect(engines.hits(id)).toBeLessThanOrEqual(12);
    }
    expect(scraper.stats().failures).toBe(0);
  });

  test("a slow endpoint never has two scrapes in flight; each times out and is counted", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const fetchImpl: FetchLike = async (url, init) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await fetch(url, init);
      } finally {
        inFlight--;
      }
    };
    const { start, engines, metricsOf } = setup({
      intervalMs: 25,
      timeoutMs: 80,
      maxBackoffMs: 0,
      fetchImpl,
    });
    engines.behaviours.set("e0", "slow");
    const scraper = start();
    await Bun.sleep(450);
    const stats = scraper.stats();
    expect(maxInFlight).toBe(1);
    expect(stats.overlapSkips).toBeGreaterThan(0);
    expect(stats.failures).toBeGreaterThanOrEqual(3);
    expect(stats.failures).toBeLessThanOrEqual(6);
    expect(metricsOf("e0")).toBeNull();
  });

  test("stops scraping an endpoint removed from the pool and picks up one added", async () => {
    const { start, engines, pool } = setup({ intervalMs: 25 }, ["e0", "e1"]);
    const scraper = start();
    await until(() => engines.hits("e1") >= 2);
    pool.remove("e1");
    await Bun.sleep(30);
    const hitsAtRemoval = engines.hits("e1");
    pool.upsert(descriptor("e2", engines.baseUrl("e2")));
    await Bun.sleep(200);
    expect(engines.hits("e1")).toBe(hitsAtRemoval);
    expect(engines.hits("e2")).toBeGreaterThanOrEqual(4);
    expect(
      scraper
        .stats()
        .perEndpoint.map((e) => e.id)
        .sort(),
    ).toEqual(["e0", "e2"]);
  });

  test("follows an endpoint whose base URL changes", async () => {
    const { start, engines, pool } = setup({ intervalMs: 25 });
    start();
    await until(() => engines.hits("e0") >= 1);
    pool.upsert(descriptor("e0", engines.baseUrl("moved")));
    await until(() => engines.hits("moved") >= 2);
    const before = engines.hits("e0");
    await Bun.sleep(100);
    expect(engines.hits("e0")).toBe(before);
  });

  test("logs a failing endpoint once and its recovery once, backing off in between", async () => {
    const { start, engines, metricsOf, logged } = setup({ intervalMs: 25, maxBackoffMs: 200 });
    engines.behaviours.set("e0", "error");
    const scraper = start();
    await Bun.sleep(600);
    // Attempts at ticks 0, 1, 3, 7, 15, 24 (backoff 0, 1, 3, 7, then capped at 8 ticks) of ~24 ticks.
    const attempts = engines.hits("e0");
    expect(attempts).toBeGreaterThanOrEqual(4);
    expect(attempts).toBeLessThanOrEqual(8);
    expect(scraper.stats().failures).toBe(attempts);
    expect(scraper.stats().backoffSkips).toBeGreaterThan(10);
    expect(logged("engine metrics scrape failing")).toHaveLength(1);
    expect(logged("engine metrics scrape failing")[0]).toMatchObject({
      level: "warn",
      endpoint: "e0",
      reason: "HTTP 500",
    });
    engines.behaviours.set("e0", "ok");
    await until(() => metricsOf("e0") !== null, 1000);
    await Bun.sleep(100);
    expect(logged("engine metrics scrape failing")).toHaveLength(1);
    expect(logged("engine metrics scrape recovered")).toHaveLength(1);
    expect(logged("engine metrics scrape recovered")[0]).toMatchObject({ level: "info", failures: attempts });
    expect(scraper.stats().perEndpoint[0]).toMatchObject({ isFailing: false, consecutiveFailures: 0 });
  });

  test("a page without vLLM load metrics is a failure and sets no metrics", async () => {
    const { start, engines, metricsOf, logged } = setup({ intervalMs: 25 });
    engines.behaviours.set("e0", "not-vllm");
    const scraper = start();
    await until(() => scraper.stats().failures >= 2);
    expect(metricsOf("e0")).toBeNull();
    expect(logged("engine metrics scrape failing")[0]).toMatchObject({
      reason: "no vLLM load metrics in the page",
    });
  });

  test("logs missing families once per change and counts unparseable lines", async () => {
    const { start, engines, metricsOf, logged } = setup({ intervalMs: 25 }, ["e0", "e1"]);
    engines.behaviours.set("e0", "partial");
    engines.behaviours.set("e1", "garbage");
    const scraper = start();
    // A hit is counted when the fake engine answers; the parse lands a moment later.
    await until(
      () => engines.hits("e0") >= 5 && engines.hits("e1") >= 5 && scraper.stats().parseProblems >= 5,
    );
    expect(metricsOf("e0")).toMatchObject({ waitingRequests: 5, blockSize: null, numGpuBlocks: null });
    expect(logged("engine metrics missing from /metrics")).toHaveLength(1);
    expect(logged("engine metrics missing from /metrics")[0]).toMatchObject({
      missing: ["vllm:cache_config_info"],
    });
    expect(scraper.stats().parseProblems).toBeGreaterThanOrEqual(5);
    expect(logged("unparseable lines in engine /metrics")).toHaveLength(1);
    expect(metricsOf("e1")).toMatchObject({ waitingRequests: 5, numGpuBlocks: 100 });
    engines.behaviours.set("e0", "ok");
    await until(() => logged("engine metrics complete again").length === 1);
  });

  test("stop() aborts scrapes in flight and ends every loop", async () => {
    const { start, engines, metricsOf } = setup({ intervalMs: 25 }, ["e0", "e1"]);
    engines.behaviours.set("e1", "slow");
    const scraper = start();
    await until(() => engines.hits("e0") >= 2 && engines.hits("e1") >= 1);
    scraper.stop();
    const hits = [engines.hits("e0"), engines.hits("e1")];
    await Bun.sleep(150);
    expect([engines.hits("e0"), engines.hits("e1")]).toEqual(hits);
    expect(metricsOf("e1")).toBeNull();
    expect(scraper.stats().failures).toBe(0);
    expect(scraper.stats().endpoints).toBe(0);
  });
});
