// Contracts of the KV-event subscribers: one per engine and data-parallel rank, and the pool-following manager.
import type { Logger } from "../../telemetry/index.ts";
import type { KvEventBatch } from "../events/types.ts";
import type { ZmqConnectOptions } from "../zmq/index.ts";

export interface KvEventSubscriberOptions {
  /** Id under which batches are reported (the index's engine id). */
  readonly engineId: string;
  /** The engine's rank-0 PUB endpoint as configured (tcp://host:port); offset by rank here. */
  readonly endpoint: string;
  /** The rank-0 replay ROUTER endpoint; null disables replay (gaps are then only counted). */
  readonly replayEndpoint: string | null;
  /** Topic frame the engine publishes under; "" accepts every topic. */
  readonly topic: string;
  /** vLLM's data_parallel_index of this engine (default 0): ports are offset by it. */
  readonly dataParallelRank?: number;
  /** Each batch, in seq order, live or replayed. Exceptions are logged and counted. */
  readonly onBatch: (engineId: string, batch: KvEventBatch) => void;
  /** The engine restarted (seq went backwards): drop what is known about it; a replay from 0 follows. */
  readonly onReset: (engineId: string) => void;
  readonly logger: Logger;
  /** Gateway clock in ms (lag, replay cooldown). */
  readonly now: () => number;
  /** Bound on one replay round trip (default 5000 ms). */
  readonly replayTimeoutMs?: number;
  /** No replay for this long after a failed one (default 30 s, llm-d's). */
  readonly replayCooldownMs?: number;
  /** Live batches held while a replay runs; beyond it the oldest are dropped (default 10000). */
  readonly maxPendingBatches?: number;
  /** Transport options of the SUB and replay DEALER connections. */
  readonly connectOptions?: Omit<ZmqConnectOptions, "onError">;
}

export interface KvEventSubscriberStats {
  readonly engineId: string;
  readonly endpoint: string;
  readonly isConnected: boolean;
  /** Last applied seq; null before the first batch and after a reset. */
  readonly lastSeq: bigint | null;
  readonly batches: number;
  readonly events: number;
  readonly gaps: number;
  /** Batches known to be lost: gaps no replay recovered. */
  readonly lostBatches: number;
  readonly replays: number;
  readonly replayFailures: number;
  readonly resets: number;
  readonly malformed: number;
  readonly handlerErrors: number;
  /** Connection problems (refused while the engine starts, dropped connections); each is retried. */
  readonly transportErrors: number;
  /** Batches whose data_parallel_rank was not this subscriber's rank (still applied). */
  readonly rankMismatches: number;
  /** now − batch ts of the last live batch, ms; null before the first. */
  readonly lastLagMs: number | null;
  readonly maxLagMs: number;
}

export interface KvEventSubscriber {
  /** Drops the seq position and replays from 0 (the index's entries for this engine must already be gone). */
  resync(): void;
  stats(): KvEventSubscriberStats;
  stop(): Promise<void>;
}
