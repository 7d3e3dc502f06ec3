// The kvcache metrics are read from the subscriber and index stats at scrape time.
import { expect, test } from "bun:test";
import { registerKvCacheMetrics } from "../../../src/kvcache/index-metrics.ts";
import { PrefixIndex } from "../../../src/kvcache/prefix-index.ts";
import type { KvEventSubscriberStats } from "../../../src/kvcache/subscriber/index.ts";
import { createMetricsRegistry, exposeMetrics } from "../../../src/telemetry/index.ts";
import { batchOf, chainOf, manualClock, requestHasher, stored, tokensOf } from "./events.ts";

const SUBSCRIBER: KvEventSubscriberStats = {
  engineId: "e0",
  endpoint: "tcp://127.0.0.1:5557",
  isConnected: true,
  lastSeq: 9n,
  batches: 10,
  events: 25,
  gaps: 2,
  lostBatches: 1,
  replays: 3,
  replayFailures: 1,
  resets: 0,
  malformed: 4,
  handlerErrors: 0,
  transportErrors: 0,
  rankMismatches: 0,
  lastLagMs: 1500,
  maxLagMs: 2000,
};

test("exposes subscriber counters, lag and index size per scrape", async () => {
  const index = new PrefixIndex({ hasher: requestHasher, now: manualClock().now });
  index.applyBatch("e0", batchOf(stored(chainOf(tokensOf(3)))));
  const registry = createMetricsRegistry();
  registerKvCacheMetrics(registry, { subscriberStats: () => [SUBSCRIBER], indexStats: () => index.stats() });
  const { body } = await exposeMetrics(registry, null);
  expect(body).toContain('llmux_kvcache_events_total{engine="e0"} 25');
  expect(body).toContain('llmux_kvcache_event_gaps_total{engine="e0"} 2');
  expect(body).toContain('llmux_kvcache_event_malformed_total{engine="e0"} 4');
  expect(body).toContain('llmux_kvcache_event_lag_seconds{engine="e0"} 1.5');
  expect(body).toContain("llmux_kvcache_index_entries 3");
  const again = await exposeMetrics(registry, null);
  expect(again.body).toContain('llmux_kvcache_events_total{engine="e0"} 25');
});
