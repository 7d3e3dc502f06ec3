// Flow control under overload with real sims behind `llmux up`: interactive (high-priority) requests keep
// their unloaded TTFT while standard requests queue and sheddable ones are shed, nothing waits past its
// TTL, and every request gets a response or a documented rejection.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import {
  isAnsweredAsDocumented,
  metricValue,
  type Outcome,
  percentile,
  streamCompletion,
  waitForEngines,
} from "./flow-clients.ts";

const ADMIN_KEY = "admin-key-flow-e2e";
const KEYS = [
  { name: "interactive", key: "sk-interactive-e2e", priority: 10 },
  { name: "standard", key: "sk-standard-e2e", priority: 0 },
  { name: "batch", key: "sk-batch-e2e", priority: -1 },
];
// h100-llama3-8b at real time: ~7 ms decode steps, a 2300-token prefill ~80 ms. Two engines.
const ENGINES = [{ model: "e2e-model", replicas: 2, extra_args: ["--sim-profile", "h100-llama3-8b"] }];
/**
 * Four requests per engine count as saturated. The engines batch far more (256 seqs), so admitted requests
 * never wait in an engine queue: the gateway's queue, ordered by priority, is the only place to wait.
 */
function flowConfig(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    enabled: true,
    saturation_detectors: [
      { type: "concurrency-detector", parameters: { concurrencyMode: "requests", maxConcurrency: 4 } },
    ],
    ...overrides,
  };
}

async function startNode(flow: Record<string, unknown>): Promise<LlmuxProcess> {
  const llmux = await startLlmux({
    engines: ENGINES,
    config: {
      auth: { api_keys: KEYS, admin_key: ADMIN_KEY },
      supervisor: { sim_args: ["--sim-startup-delay", "0"] },
      flow,
    },
  });
  await waitForEngines(llmux.url, ADMIN_KEY);
  return llmux;
}

/** Closed-loop clients of one key until `stop`; a shed client backs off like a polite client would. */
async function loadLoops(
  url: string,
  key: string,
  loops: number,
  stop: { isStopped: boolean },
  outcomes: Outcome[],
): Promise<void> {
  async function loop(): Promise<void> {
    while (!stop.isStopped) {
      const outcome = await streamCompletion(url, { key, promptWords: 50, maxTokens: 8 });
      outcomes.push(outcome);
      if (outcome.status !== 200) await Bun.sleep(100);
    }
  }
  await Promise.all(Array.from({ length: loops }, loop));
}

/** `count` high-priority requests one after another, `gapMs` apart; their TTFTs. */
async function probeTtfts(url: string, count: number, gapMs: number, outcomes: Outcome[]): Promise<number[]> {
  const ttfts: number[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await streamCompletion(url, { key: KEYS[0]?.key ?? "", promptWords: 2000, maxTokens: 2 });
    outcomes.push(outcome);
    if (outcome.ttftMs !== null) ttfts.push(outcome.ttftMs);
    await Bun.sleep(gapMs);
  }
  return ttfts;
}

function ttftsOf(outcomes: readonly Outcome[]): number[] {
  return outcomes.flatMap((o) => (o.ttftMs === null ? [] : [o.ttftMs]));
}

describe("flow control under overload", () => {
  let llmux: LlmuxProcess;
  beforeAll(async () => {
    llmux = await startNode(flowConfig({ default_ttl_ms: 10_000 }));
  }, 60_000);
  afterAll(async () => {
    await llmux?.stop();
  });

  test("high-priority TTFT p90 stays within 2x of unloaded while standard requests queue and sheddable ones are shed", async () => {
    const outcomes: Outcome[] = [];
    await probeTtfts(llmux.url, 3, 20, []); // warm-up: connections, JIT
    const unloaded = await probeTtfts(llmux.url, 10, 20, outcomes);
    // Ten samples: with five, one or two slow ones (a GC pause, a sim step landing late) moved the median by
    // half, and the queueing comparison below failed on a CI run with no queueing problem.
    const standardUnloaded: Outcome[] = [];
    for (let i = 0; i < 10; i++) {
      standardUnloaded.push(
        await streamCompletion(llmux.url, { key: KEYS[1]?.key ?? "", promptWords: 50, maxTokens: 8 }),
      );
    }
    const stop = { isStopped: false };
    const standard: Outcome[] = [];
    const batch: Outcome[] = [];
    const loads = Promise.all([
      // Enough clients to keep the 8 admitted slots full and a queue behind them, few enough that the
      // test's own CPU (client, gateway and both sims share 2 cores) does not become the bottleneck.
      loadLoops(llmux.url, KEYS[1]?.key ?? "", 12, stop, standard),
      loadLoops(llmux.url, KEYS[2]?.key ?? "", 4, stop, batch),
    ]);
    await Bun.sleep(500);
    const loaded = await probeTtfts(llmux.url, 20, 50, outcomes);
    stop.isStopped = true;
    await loads;
    const figures = {
      unloadedP50: percentile(unloaded, 50),
      unloadedP90: percentile(unloaded, 90),
      loadedP50: percentile(loaded, 50),
      loadedP90: percentile(loaded, 90),
      standardUnloadedP50: percentile(ttftsOf(standardUnloaded), 50),
      standardTtftP50: percentile(ttftsOf(standard), 50),
      standardServed: standard.filter((o) => o.status === 200).length,
      batchServed: batch.filter((o) => o.status === 200).length,
      batchShed: batch.filter((o) => o.status === 429).length,
      queuedThenAdmitted: await metricValue(
        llmux.url,
        'llmux_flow_requests_total{outcome="admitted_after_queue"}',
      ),
    };
    console.log(JSON.stringify(figures));
    expect(loaded).toHaveLength(20);
    expect(figures.loadedP90).toBeLessThanOrEqual(2 * figures.unloadedP90);
    // Standard requests waited in the gateway's queue behind the interactive ones: measured 2.7-4x their
    // unloaded TTFT on this machine; 2x leaves room for noise and still fails if nothing queues.
    expect(figures.queuedThenAdmitted ?? 0).toBeGreaterThan(20);
    expect(figures.standardTtftP50).toBeGreaterThan(2 * figures.standardUnloadedP50);
    // Sheddable requests were refused while the pool was saturated, with the documented headers.
    const shed = batch.filter((o) => o.status === 429);
    expect(shed.length).toBeGreaterThan(0);
    for (const o of shed) {
      expect(o).toMatchObject({ droppedReason: "rejected-saturated", retryAfter: "1" });
    }
    const all = [...outcomes, ...standard, ...batch];
    expect(all.filter((o) => !isAnsweredAsDocumented(o))).toEqual([]);
  }, 30_000);

  test("nothing is lost: a mixed burst with client aborts ends with every request answered and no hold leaked", async () => {
    const burst = Array.from({ length: 60 }, async (_, i) => {
      const key = KEYS[i % 3]?.key ?? "";
      const isAborted = i % 4 === 3;
      const controller = new AbortController();
      if (isAborted) setTimeout(() => controller.abort(), 50 + ((i * 37) % 300));
      const outcome = await streamCompletion(llmux.url, {
        key,
        promptWords: 50,
        maxTokens: 20,
        signal: controller.signal,
      });
      return { isAborted, outcome };
    });
    const results = await Promise.all(burst);
    const unanswered = results.filter((r) => !r.isAborted && !isAnsweredAsDocumented(r.outcome));
    expect(unanswered.map((r) => r.outcome)).toEqual([]);
    expect(results.filter((r) => r.outcome.status === 200).length).toBeGreaterThan(10);
    // Queued and streaming aborts alike gave their hold back: nothing queued, nothing counted in flight.
    const deadline = Date.now() + 5000;
    let inFlight: number | null = null;
    let queued: number | null = null;
    while (Date.now() < deadline) {
      inFlight = await metricValue(llmux.url, 'llmux_flow_in_flight_requests{model="e2e-model"}');
      queued = await metricValue(llmux.url, "llmux_flow_queue_bytes");
      if (inFlight === 0 && queued === 0) break;
      await Bun.sleep(100);
    }
    expect({ inFlight, queued }).toEqual({ inFlight: 0, queued: 0 });
    const after = await streamCompletion(llmux.url, {
      key: KEYS[1]?.key ?? "",
      promptWords: 50,
      maxTokens: 2,
    });
    expect(after.status).toBe(200);
  }, 30_000);
});

describe("flow control TTL", () => {
  const TTL_MS = 600;
  let llmux: LlmuxProcess;
  beforeAll(async () => {
    // One request per engine at a time, so a burst backs up far beyond what one TTL can drain.
    const flow = flowConfig({ default_ttl_ms: TTL_MS });
    llmux = await startNode({
      ...flow,
      saturation_detectors: [
        { type: "concurrency-detector", parameters: { concurrencyMode: "requests", maxConcurrency: 1 } },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await llmux?.stop();
  });

  test("no request waits past its TTL: the rest are refused with 429 rejected-ttl-expired at the TTL", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 16 }, () =>
        streamCompletion(llmux.url, { key: KEYS[1]?.key ?? "", promptWords: 50, maxTokens: 40 }),
      ),
    );
    const served = outcomes.filter((o) => o.status === 200);
    const expired = outcomes.filter((o) => o.status === 429);
    console.log(
      JSON.stringify({
        served: served.map((o) => Math.round(o.ttftMs ?? -1)),
        expired: expired.map((o) => Math.round(o.e2eMs)),
      }),
    );
    expect(served.length).toBeGreaterThanOrEqual(2);
    expect(expired.length).toBeGreaterThanOrEqual(4);
    expect(outcomes.filter((o) => !isAnsweredAsDocumented(o))).toEqual([]);
    for (const o of expired) {
      expect(o).toMatchObject({ droppedReason: "rejected-ttl-expired", retryAfter: "1" });
      expect(o.e2eMs).toBeGreaterThanOrEqual(TTL_MS - 20);
      expect(o.e2eMs).toBeLessThan(TTL_MS + 400);
    }
    // A served request left the queue within its TTL; its first token follows within one unloaded TTFT.
    for (const o of served) expect(o.ttftMs ?? Number.POSITIVE_INFINITY).toBeLessThan(TTL_MS + 400);
    // The gateway's own measure: every queue wait, served or refused, is in the 1 s bucket.
    const waits = await queueWaitCounts(llmux.url);
    expect(waits.total).toBe(16);
    expect(waits.withinOneSecond).toBe(16);
  }, 30_000);
});

/** Observations of llmux_flow_queue_wait_seconds, all and those at most 1 s, over every label set. */
async function queueWaitCounts(url: string): Promise<{ total: number; withinOneSecond: number }> {
  const lines = (await (await fetch(`${url}/metrics`)).text()).split("\n");
  const sum = (match: (line: string) => boolean) =>
    lines.filter(match).reduce((total, line) => total + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  return {
    total: sum((l) => l.startsWith("llmux_flow_queue_wait_seconds_count")),
    withinOneSecond: sum((l) => l.startsWith("llmux_flow_queue_wait_seconds_bucket") && l.includes('le="1"')),
  };
}
