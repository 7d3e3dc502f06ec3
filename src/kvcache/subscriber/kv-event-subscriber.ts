// One engine rank's KV-event feed: SUB to its PUB, seq tracking, replay over the replay socket on first
// connect (from 0), on a gap (from last+1) and after a restart (seq going backwards: reset, from 0),
// with llm-d's cooldown after a failed replay (vllm-interfaces.md §1.2, §1.6, §1.7).
import { decodeKvEventBatch } from "../events/decode.ts";
import { decodeSeq } from "../events/seq.ts";
import { connectSubscriber, type Multipart } from "../zmq/index.ts";
import { offsetEndpointPort } from "./endpoint-offset.ts";
import { type ReplayRequest, requestReplay } from "./replay-request.ts";
import type { KvEventSubscriber, KvEventSubscriberOptions, KvEventSubscriberStats } from "./types.ts";

const DEFAULT_REPLAY_TIMEOUT_MS = 5000;
const DEFAULT_REPLAY_COOLDOWN_MS = 30_000;
const DEFAULT_MAX_PENDING_BATCHES = 10_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Counters = Omit<Mutable<KvEventSubscriberStats>, "engineId" | "endpoint" | "isConnected" | "lastSeq">;

interface ActiveReplay {
  readonly request: ReplayRequest;
  /** resync() arrived mid-replay: discard the rest and start again from 0 when it ends. */
  isRestartWanted: boolean;
  /** After a reconnect: the last applied batch, which the same engine replays first, unchanged. */
  anchor: { readonly seq: bigint; readonly hash: bigint } | null;
  /** The anchor did not come back as it was: the engine restarted while we were disconnected. */
  isEngineRestart: boolean;
}

/** Starts following one engine rank. Connecting happens in the background; stop() ends everything. */
export function startKvEventSubscriber(options: KvEventSubscriberOptions): KvEventSubscriber {
  return new RankSubscriber(options);
}

class RankSubscriber implements KvEventSubscriber {
  readonly #options: KvEventSubscriberOptions;
  readonly #endpoint: string;
  readonly #replayEndpoint: string | null;
  readonly #rank: number;
  readonly #topic: Uint8Array;
  readonly #subscriber;
  readonly #counters: Counters = {
    batches: 0,
    events: 0,
    gaps: 0,
    lostBatches: 0,
    replays: 0,
    replayFailures: 0,
    resets: 0,
    malformed: 0,
    handlerErrors: 0,
    transportErrors: 0,
    rankMismatches: 0,
    lastLagMs: null,
    maxLagMs: 0,
  };
  /** Last applied seq; -1 once a replay showed the engine has published nothing; null when unknown. */
  #lastSeq: bigint | null = null;
  /** wyhash of the last applied payload, to recognise it in a replay after a reconnect. */
  #lastHash = 0n;
  #replay: ActiveReplay | null = null;
  #pending: { seq: bigint; payload: Uint8Array }[] = [];
  #cooldownUntilMs = Number.NEGATIVE_INFINITY;
  #hasConnected = false;
  #isStopped = false;

  constructor(options: KvEventSubscriberOptions) {
    this.#options = options;
    this.#rank = options.dataParallelRank ?? 0;
    this.#endpoint = offsetEndpointPort(options.endpoint, this.#rank);
    this.#replayEndpoint =
      options.replayEndpoint === null ? null : offsetEndpointPort(options.replayEndpoint, this.#rank);
    this.#topic = new TextEncoder().encode(options.topic);
    this.#subscriber = connectSubscriber(this.#endpoint, {
      ...options.connectOptions,
      onError: (error) => {
        this.#counters.transportErrors++;
        options.logger.debug({ err: error, engine: options.engineId }, "kv events transport problem");
      },
    });
    this.#subscriber.subscribe(this.#topic);
    this.#subscriber.onConnect(() => this.#onConnect());
    this.#subscriber.onMessage((message) => this.#onLive(message));
  }

  resync(): void {
    if (this.#isStopped) return;
    if (this.#replay !== null) {
      this.#replay.isRestartWanted = true;
      return;
    }
    this.#lastSeq = null;
    if (!this.#startReplay(0n))
      this.#options.logger.warn({ engine: this.#options.engineId }, "kv events resync without replay");
  }

  stats(): KvEventSubscriberStats {
    return {
      engineId: this.#options.engineId,
      endpoint: this.#endpoint,
      isConnected: this.#subscriber.isConnected,
      lastSeq: this.#lastSeq === null || this.#lastSeq < 0n ? null : this.#lastSeq,
      ...this.#counters,
    };
  }

  async stop(): Promise<void> {
    this.#isStopped = true;
    this.#replay?.request.cancel();
    this.#replay = null;
    this.#pending = [];
    await this.#subscriber.close();
  }

  // First connect: replay everything the engine still buffers. Reconnect: replay from the last applied
  // batch, which tells a restarted engine (that batch is gone or different) from a network blip.
  #onConnect(): void {
    const isFirst = !this.#hasConnected;
    this.#hasConnected = true;
    if (this.#replay !== null) return;
    const last = this.#lastSeq;
    if (last !== null && last >= 0n) this.#startReplay(last, { seq: last, hash: this.#lastHash });
    else if (isFirst || last !== null) this.#startReplay(0n);
  }

  #onLive(message: Multipart): void {
    const [topic, seqFrame, payload] = message;
    if (message.length !== 3 || seqFrame?.length !== 8 || payload === undefined) {
      this.#malformed(`live message of ${message.length} frames`);
      return;
    }
    if (this.#topic.length > 0 && !sameBytes(topic!, this.#topic)) return;
    const seq = decodeSeq(seqFrame);
    if (this.#replay !== null) {
      // Frames view the receive buffer, which is reused once this callback returns.
      this.#pending.push({ seq, payload: payload.slice() });
      const max = this.#options.maxPendingBatches ?? DEFAULT_MAX_PENDING_BATCHES;
      if (this.#pending.length > max) this.#pending.shift();
      return;
    }
    this.#sequence(seq, payload, false);
  }

  /** Applies a live batch in seq order; `isDraining` (after a replay) accepts a remaining gap as lost. */
  #sequence(seq: bigint, payload: Uint8Array, isDraining: boolean): void {
    const last = this.#lastSeq;
    if (last !== null && seq === last + 1n) {
      this.#apply(seq, payload, true);
      return;
    }
    if (last !== null && seq <= last) {
      if (isDraining) return;
      if (this.#restartFromZero()) {
        this.#pending.push({ seq, payload: payload.slice() });
        return;
      }
    } else if (last !== null) {
      this.#counters.gaps++;
      if (!isDraining && this.#startReplay(last + 1n)) {
        this.#pending.push({ seq, payload: payload.slice() });
        return;
      }
      this.#counters.lostBatches += Number(seq - last - 1n);
    } else if (!isDraining && this.#startReplay(0n)) {
      this.#pending.push({ seq, payload: payload.slice() });
      return;
    }
    this.#apply(seq, payload, true);
  }

  /** Starts a replay when there is a replay socket and no cooldown; false otherwise. */
  #startReplay(fromSeq: bigint, anchor: ActiveReplay["anchor"] = null): boolean {
    if (this.#replayEndpoint === null || this.#options.now() < this.#cooldownUntilMs || this.#isStopped)
      return false;
    this.#counters.replays++;
    const request = requestReplay(
      this.#replayEndpoint,
      fromSeq,
      this.#options.replayTimeoutMs ?? DEFAULT_REPLAY_TIMEOUT_MS,
      {
        onBatch: (seq, payload) => this.#onReplayed(seq, payload),
        onMalformed: (reason) => this.#malformed(reason),
        onDone: (isComplete) => this.#onReplayDone(isComplete),
      },
      { ...this.#options.connectOptions, onError: () => {} },
    );
    this.#replay = { request, isRestartWanted: false, anchor, isEngineRestart: false };
    return true;
  }

  #onReplayed(seq: bigint, payload: Uint8Array): void {
    const replay = this.#replay;
    if (replay === null || replay.isRestartWanted || replay.isEngineRestart) return;
    if (replay.anchor !== null) {
      const anchor = replay.anchor;
      replay.anchor = null;
      if (seq !== anchor.seq || Bun.hash.wyhash(payload) !== anchor.hash) replay.isEngineRestart = true;
      return;
    }
    const last = this.#lastSeq;
    if (last !== null && seq <= last) return;
    if (last !== null && seq > last + 1n) this.#counters.lostBatches += Number(seq - last - 1n);
    this.#apply(seq, payload, false);
  }

  #onReplayDone(isComplete: boolean): void {
    const replay = this.#replay;
    this.#replay = null;
    // A complete replay from 0 that returned nothing means the engine has published nothing yet.
    if (isComplete && this.#lastSeq === null && replay?.isRestartWanted !== true) this.#lastSeq = -1n;
    if (isComplete && replay?.anchor != null) replay.isEngineRestart = true;
    if (replay?.isEngineRestart === true && this.#restartFromZero()) return;
    if (!isComplete) {
      this.#counters.replayFailures++;
      this.#cooldownUntilMs =
        this.#options.now() + (this.#options.replayCooldownMs ?? DEFAULT_REPLAY_COOLDOWN_MS);
      this.#options.logger.warn(
        { engine: this.#options.engineId, endpoint: this.#replayEndpoint },
        "kv events replay failed",
      );
    }
    if (replay?.isRestartWanted === true) {
      this.resync();
      if (this.#replay !== null) return;
    }
    const pending = this.#pending;
    this.#pending = [];
    let next = 0;
    // A handler may call resync() and so start another replay: the rest then waits for that one.
    while (next < pending.length && this.#replay === null) {
      const message = pending[next++]!;
      this.#sequence(message.seq, message.payload, true);
    }
    if (next < pending.length) this.#pending = pending.slice(next).concat(this.#pending);
  }

  #apply(seq: bigint, payload: Uint8Array, isLive: boolean): void {
    this.#lastSeq = seq;
    this.#lastHash = Bun.hash.wyhash(payload);
    let batch: ReturnType<typeof decodeKvEventBatch>;
    try {
      batch = decodeKvEventBatch(payload);
    } catch (error) {
      this.#malformed(error instanceof Error ? error.message : String(error));
      return;
    }
    const counters = this.#counters;
    counters.batches++;
    counters.events += batch.events.length;
    if (batch.dataParallelRank !== null && batch.dataParallelRank !== this.#rank) counters.rankMismatches++;
    if (isLive) {
      const lagMs = this.#options.now() - batch.ts * 1000;
      counters.lastLagMs = lagMs;
      if (lagMs > counters.maxLagMs) counters.maxLagMs = lagMs;
    }
    try {
      this.#options.onBatch(this.#options.engineId, batch);
    } catch (error) {
      counters.handlerErrors++;
      this.#options.logger.error(
        { err: error, engine: this.#options.engineId, seq },
        "kv events handler failed",
      );
    }
  }

  /** The engine restarted: drop its entries and replay from 0. True when a replay started. */
  #restartFromZero(): boolean {
    this.#counters.resets++;
    this.#options.logger.warn({ engine: this.#options.engineId }, "kv events: engine restarted");
    this.#callReset();
    this.#lastSeq = null;
    return this.#startReplay(0n);
  }

  #callReset(): void {
    try {
      this.#options.onReset(this.#options.engineId);
    } catch (error) {
      this.#counters.handlerErrors++;
      this.#options.logger.error(
        { err: error, engine: this.#options.engineId },
        "kv events reset handler failed",
      );
    }
  }

  #malformed(reason: string): void {
    this.#counters.malformed++;
    this.#options.logger.warn(
      { engine: this.#options.engineId, reason, malformed: this.#counters.malformed },
      "kv events: malformed batch dropped",
    );
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
