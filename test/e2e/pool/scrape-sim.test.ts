// The metrics scraper against a real `llmux sim` process (DP=2, LoRA): queued requests appear in the
// pool's EngineMetrics within a few intervals and drain after the clients abort.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EndpointPool, type EngineMetrics, startMetricsScraper } from "../../../src/pool/index.ts";
import { createLogger } from "../../../src/telemetry/index.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

const INTERVAL_MS = 50;

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(5);
  }
}

describe("metrics scraper against llmux sim", () => {
  let sim: SimProcess;
  beforeAll(async () => {
    sim = await startSim([
      "--sim-profile",
      "tiny-cpu",
      "--enable-lora",
      "--lora-modules",
      "a=/x",
      "-dp",
      "2",
      "--max-num-seqs",
      "1",
    ]);
  });
  afterAll(async () => {
    await sim.stop();
  });

  test("queued requests show up as waitingRequests within a few intervals", async () => {
    const pool = new EndpointPool({ now: () => performance.now() });
    pool.upsert({
      id: "sim0",
      baseUrl: sim.url,
      models: ["e2e-model"],
      loraAdapters: ["a"],
      role: "both",
      labels: {},
      kvEvents: null,
      source: "static",
    });
    const scraper = startMetricsScraper({
      pool,
      intervalMs: INTERVAL_MS,
      timeoutMs: 1000,
      now: () => performance.now(),
      logger: createLogger({ level: "silent", format: "json" }),
    });
    const metrics = (): EngineMetrics | null => pool.snapshot()[0]?.metrics ?? null;
    const clients = new AbortController();
    try {
      await until(() => metrics() !== null, 2000);
      expect(metrics()).toMatchObject({ waitingRequests: 0, runningRequests: 0, blockSize: 16, maxLoras: 1 });

      const sentAtMs = performance.now();
      const requests = Array.from({ length: 5 }, (_, i) =>
        fetch(`${sim.url}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "a", prompt: `queued ${i}`, max_tokens: 5000, ignore_eos: true }),
          signal: clients.signal,
        }).catch(() => null),
      );
      await until(() => (metrics()?.waitingRequests ?? 0) > 0, 5 * INTERVAL_MS);
      expect(performance.now() - sentAtMs).toBeLessThan(5 * INTERVAL_MS);
      // One running per engine (max-num-seqs 1, two DP engines), the other three queued.
      await until(() => metrics()?.runningRequests === 2 && metrics()?.waitingRequests === 3, 2000);
      const loaded = metrics() as EngineMetrics;
      expect(loaded.runningLoras).toEqual(["a"]);
      expect(loaded.kvUsageRatio).toBeGreaterThan(0);
      expect(performance.now() - loaded.scrapedAtMs).toBeLessThan(3 * INTERVAL_MS);

      clients.abort();
      await Promise.all(requests);
      await until(() => metrics()?.runningRequests === 0 && metrics()?.waitingRequests === 0, 3000);
      expect(scraper.stats().failures).toBe(0);
      expect(scraper.stats().parseProblems).toBe(0);
    } finally {
      clients.abort();
      scraper.stop();
    }
  });
});
