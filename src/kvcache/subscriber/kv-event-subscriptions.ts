// Follows the endpoint pool: one KV-event subscriber per data-parallel rank of every endpoint whose
// descriptor names a KV-event endpoint, feeding the prefix index; endpoints that leave are unsubscribed
// and their index entries dropped.
import type { EndpointDescriptor, EndpointSnapshot, PoolChangeListener } from "../../pool/index.ts";
import type { Logger } from "../../telemetry/index.ts";
import type { KvEventBatch } from "../events/types.ts";
import { kvEngineId } from "./endpoint-offset.ts";
import { startKvEventSubscriber } from "./kv-event-subscriber.ts";
import type { KvEventSubscriber, KvEventSubscriberOptions, KvEventSubscriberStats } from "./types.ts";

/** What the manager needs of the pool. */
export interface KvEventPoolView {
  snapshot(): readonly EndpointSnapshot[];
  onChange(listener: PoolChangeListener): () => void;
}

/** What the manager needs of the index. */
export interface KvEventSink {
  applyBatch(engineId: string, batch: KvEventBatch): "applied" | "resync";
  clearEngine(engineId: string): void;
  removeEngine(engineId: string): void;
}

export interface KvEventSubscriptionsOptions {
  readonly pool: KvEventPoolView;
  readonly index: KvEventSink;
  readonly logger: Logger;
  readonly now: () => number;
  /** Data-parallel engines behind one endpoint (each publishes on its own ports); default 1. */
  readonly dataParallelSize?: (descriptor: EndpointDescriptor) => number;
  /** Replay and transport tuning passed to every subscriber. */
  readonly subscriberOptions?: Pick<
    KvEventSubscriberOptions,
    "replayTimeoutMs" | "replayCooldownMs" | "maxPendingBatches" | "connectOptions"
  >;
}

export interface KvEventSubscriptionsStats {
  readonly subscribers: readonly KvEventSubscriberStats[];
  /** Endpoints whose KV-event addresses the transport rejected. */
  readonly subscribeFailures: number;
}

export interface KvEventSubscriptions {
  stats(): KvEventSubscriptionsStats;
  stop(): Promise<void>;
}

interface Followed {
  /** Endpoints, topic and rank count the subscribers were started with; a change restarts them. */
  readonly configKey: string;
  readonly engineIds: readonly string[];
  readonly subscribers: readonly KvEventSubscriber[];
}

/** Subscribes to every pooled endpoint with KV events now and as the pool changes. */
export function startKvEventSubscriptions(options: KvEventSubscriptionsOptions): KvEventSubscriptions {
  const followed = new Map<string, Followed>();
  const stopping = new Set<Promise<void>>();
  let isStopped = false;
  let subscribeFailures = 0;

  function stopFollowing(endpointId: string, entry: Followed): void {
    followed.delete(endpointId);
    for (const engineId of entry.engineIds) options.index.removeEngine(engineId);
    for (const subscriber of entry.subscribers) {
      const done = subscriber.stop().catch((error: unknown) => {
        options.logger.warn({ err: error, endpoint: endpointId }, "kv events subscriber stop failed");
      });
      stopping.add(done);
      void done.then(() => stopping.delete(done));
    }
  }

  function follow(descriptor: EndpointDescriptor, configKey: string, size: number): Followed {
    const kv = descriptor.kvEvents!;
    const engineIds: string[] = [];
    const subscribers: KvEventSubscriber[] = [];
    try {
      for (let rank = 0; rank < size; rank++) startRank(rank);
    } catch (error) {
      for (const subscriber of subscribers) void subscriber.stop();
      throw error;
    }
    return { configKey, engineIds, subscribers };

    function startRank(rank: number): void {
      const engineId = kvEngineId(descriptor.id, rank, size);
      const subscriber: KvEventSubscriber = startKvEventSubscriber({
        ...options.subscriberOptions,
        engineId,
        endpoint: kv.endpoint,
        replayEndpoint: kv.replayEndpoint,
        topic: kv.topic,
        dataParallelRank: rank,
        logger: options.logger,
        now: options.now,
        onBatch: function applyToIndex(id, batch) {
          if (options.index.applyBatch(id, batch) === "resync") subscriber.resync();
        },
        onReset: (id) => options.index.clearEngine(id),
      });
      engineIds.push(engineId);
      subscribers.push(subscriber);
    }
  }

  function reconcile(): void {
    if (isStopped) return;
    const present = new Set<string>();
    for (const { descriptor } of options.pool.snapshot()) {
      if (descriptor.kvEvents === null) continue;
      present.add(descriptor.id);
      const size = Math.max(1, options.dataParallelSize?.(descriptor) ?? 1);
      const kv = descriptor.kvEvents;
      const configKey = JSON.stringify([kv.endpoint, kv.replayEndpoint, kv.topic, size]);
      const existing = followed.get(descriptor.id);
      if (existing?.configKey === configKey) continue;
      if (existing !== undefined) stopFollowing(descriptor.id, existing);
      try {
        followed.set(descriptor.id, follow(descriptor, configKey, size));
        options.logger.info(
          { endpoint: descriptor.id, kvEvents: kv.endpoint, ranks: size },
          "kv events: subscribed",
        );
      } catch (error) {
        // An endpoint string the transport rejects: the endpoint still serves, without precise prefix info.
        subscribeFailures++;
        options.logger.error({ err: error, endpoint: descriptor.id }, "kv events: cannot subscribe");
      }
    }
    for (const [endpointId, entry] of followed) {
      if (!present.has(endpointId)) stopFollowing(endpointId, entry);
    }
  }

  const unsubscribe = options.pool.onChange(reconcile);
  reconcile();
  return {
    stats: () => ({
      subscribers: [...followed.values()].flatMap((entry) => entry.subscribers.map((s) => s.stats())),
      subscribeFailures,
    }),
    async stop() {
      isStopped = true;
      unsubscribe();
      for (const [endpointId, entry] of [...followed]) stopFollowing(endpointId, entry);
      await Promise.all(stopping);
    },
  };
}
