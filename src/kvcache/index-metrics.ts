// Prometheus metrics of the KV-event subscriptions and the prefix index, read from their stats at scrape
// time (nothing is counted twice and the event path does no metric work).
import { type MetricsRegistry, registerCollected } from "../telemetry/index.ts";
import type { PrefixIndexStats } from "./prefix-index.ts";
import type { KvEventSubscriberStats } from "./subscriber/types.ts";

export interface KvCacheMetricSources {
  subscriberStats(): readonly KvEventSubscriberStats[];
  indexStats(): PrefixIndexStats;
}

type CounterField =
  | "events"
  | "batches"
  | "gaps"
  | "lostBatches"
  | "replays"
  | "replayFailures"
  | "resets"
  | "malformed";

const SUBSCRIBER_COUNTERS: readonly [string, CounterField, string][] = [
  ["llmux_kvcache_events_total", "events", "KV events received, by engine."],
  ["llmux_kvcache_event_batches_total", "batches", "KV event batches applied, by engine."],
  ["llmux_kvcache_event_gaps_total", "gaps", "Seq gaps seen on the PUB stream, by engine."],
  [
    "llmux_kvcache_event_lost_batches_total",
    "lostBatches",
    "Batches lost to gaps no replay filled, by engine.",
  ],
  ["llmux_kvcache_event_replays_total", "replays", "Replay requests sent, by engine."],
  ["llmux_kvcache_event_replay_failures_total", "replayFailures", "Replays that timed out, by engine."],
  ["llmux_kvcache_event_resets_total", "resets", "Engine restarts seen (seq going backwards), by engine."],
  ["llmux_kvcache_event_malformed_total", "malformed", "Malformed KV event frames dropped, by engine."],
];

/** Registers the kvcache metrics on `registry`; values are read from `sources` on each scrape. */
export function registerKvCacheMetrics(registry: MetricsRegistry, sources: KvCacheMetricSources): void {
  const registers = [registry];
  for (const [name, field, help] of SUBSCRIBER_COUNTERS) {
    registerCollected("counter", { name, help, labelNames: ["engine"], registers }, () =>
      sources.subscriberStats().map((stats) => [{ engine: stats.engineId }, stats[field]] as const),
    );
  }
  registerCollected(
    "gauge",
    {
      name: "llmux_kvcache_event_lag_seconds",
      help: "Gateway clock minus the publisher's timestamp of the last live batch, by engine.",
      labelNames: ["engine"],
      registers,
    },
    () =>
      sources
        .subscriberStats()
        .flatMap((stats) =>
          stats.lastLagMs === null ? [] : [[{ engine: stats.engineId }, stats.lastLagMs / 1000] as const],
        ),
  );
  registerCollected(
    "gauge",
    {
      name: "llmux_kvcache_index_entries",
      help: "Block-engine entries in the prefix index (speculative ones included).",
      registers,
    },
    () => sources.indexStats().entries,
  );
  registerCollected(
    "gauge",
    { name: "llmux_kvcache_index_bytes", help: "Memory of the prefix index's entry table.", registers },
    () => sources.indexStats().tableBytes,
  );
  registerCollected(
    "counter",
    {
      name: "llmux_kvcache_index_evictions_total",
      help: "Entries evicted by the prefix index's bound.",
      registers,
    },
    () => sources.indexStats().evictions,
  );
}
