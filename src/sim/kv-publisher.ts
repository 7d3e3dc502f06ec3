// The sim's KV-event publisher, wire-compatible with vLLM's ZmqEventPublisher: a PUB socket sending
// [topic, seq, msgpack batch] per engine step (vllm-interfaces.md §1.2), a replay buffer and ROUTER (§1.6).
import {
  bindPublisher,
  bindRouter,
  encodeKvEventBatch,
  encodeSeq,
  type KvEvent,
  type KvEventsLayout,
  REPLAY_END_SEQ,
  type ZmqPublisher,
  type ZmqRouter,
} from "../kvcache/index.ts";
import {
  bindAddressFor,
  type KvEventsConfig,
  kvEventsSocketMode,
  offsetEndpointPort,
} from "./kv-events-config.ts";

/** Replay reply layout: "v0.26" adds the topic frame (vLLM #45177); "legacy" is vLLM ≤ v0.25. */
export type KvReplayLayout = "v0.26" | "legacy";

export interface KvEventPublisher {
  /** The bound PUB address (real port when 0 was configured). */
  readonly endpoint: string;
  readonly replayEndpoint: string | null;
  readonly topic: string;
  /** Publishes one engine step's events as one batch; an empty step publishes nothing (§1.1). */
  publish(events: readonly KvEvent[], tsSeconds: number): void;
  /** The seq the next batch will carry (vLLM starts at 0). */
  readonly nextSeq: bigint;
  /** Connected SUB sessions. */
  readonly subscriberCount: number;
  /** Fault injection: the next `count` batches are not sent on PUB but still enter the replay buffer. */
  dropNext(count: number): void;
  close(): Promise<void>;
}

export interface KvEventPublisherOptions {
  readonly config: KvEventsConfig;
  readonly dataParallelRank: number;
  readonly layout: KvEventsLayout;
  /** Default "v0.26". */
  readonly replayLayout?: KvReplayLayout;
  /** Transport problems and ignored replay requests; they never throw out. */
  readonly onError?: (error: Error) => void;
}

const EMPTY = new Uint8Array(0);
const END_SEQ_FRAME = encodeSeq(REPLAY_END_SEQ);

/** Starts publishing per `config`; null when events are disabled or the publisher is "null" (§1.3). */
export async function startKvEventPublisher(
  options: KvEventPublisherOptions,
): Promise<KvEventPublisher | null> {
  const { config, dataParallelRank } = options;
  if (!config.enableKvCacheEvents || config.publisher === "null") return null;
  const onError = options.onError ?? ignoreError;
  const pubEndpoint = offsetEndpointPort(config.endpoint, dataParallelRank);
  if (kvEventsSocketMode(pubEndpoint) === "connect") {
    throw new Error(
      `--kv-events-config: endpoint ${pubEndpoint} makes vLLM connect its PUB to a central subscriber; ` +
        'llmux sim only binds (use a "*" or "::" host, e.g. tcp://*:5557)',
    );
  }
  // ZMQ treats an HWM of 0 as "no limit".
  const sendHighWaterMark = config.hwm === 0 ? Number.MAX_SAFE_INTEGER : config.hwm;
  const pub = await bindPublisher(bindAddressFor(pubEndpoint), { sendHighWaterMark, onError });
  let router: ZmqRouter | null = null;
  try {
    // vLLM always binds the replay ROUTER, whatever its host (§1.6).
    if (config.replayEndpoint !== null) {
      const replayAt = bindAddressFor(offsetEndpointPort(config.replayEndpoint, dataParallelRank));
      router = await bindRouter(replayAt, { onError });
    }
  } catch (error) {
    await pub.close();
    throw error;
  }
  return createPublisher({ ...options, onError }, pub, router);
}

function createPublisher(
  options: KvEventPublisherOptions & { readonly onError: (error: Error) => void },
  pub: ZmqPublisher,
  router: ZmqRouter | null,
): KvEventPublisher {
  const topicFrame = new TextEncoder().encode(options.config.topic);
  const buffer = createReplayBuffer(options.config.bufferSteps);
  let nextSeq = 0n;
  let dropCount = 0;
  if (router !== null) {
    router.onMessage(createReplayHandler(router, buffer, topicFrame, options));
  }
  return {
    endpoint: pub.endpoint,
    replayEndpoint: router?.endpoint ?? null,
    topic: options.config.topic,
    publish(events, tsSeconds) {
      if (events.length === 0) return;
      const batch = { ts: tsSeconds, events, dataParallelRank: options.dataParallelRank };
      const payload = encodeKvEventBatch(batch, options.layout);
      const seq = nextSeq;
      nextSeq += 1n;
      buffer.push(seq, payload);
      if (dropCount > 0) {
        dropCount -= 1;
        return;
      }
      pub.send([topicFrame, encodeSeq(seq), payload]);
    },
    get nextSeq() {
      return nextSeq;
    },
    get subscriberCount() {
      return pub.subscriberCount;
    },
    dropNext(count) {
      if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`dropNext: bad count ${count}`);
      dropCount = count;
    },
    async close() {
      await Promise.all([pub.close(), router?.close()]);
    },
  };
}

/** vLLM `_service_replay`: [identity, "", start_seq] → every buffered batch with seq ≥ start_seq, then END. */
function createReplayHandler(
  router: ZmqRouter,
  buffer: ReplayBuffer,
  topicFrame: Uint8Array,
  options: KvEventPublisherOptions & { readonly onError: (error: Error) => void },
): (message: readonly Uint8Array[]) => void {
  const isLegacy = options.replayLayout === "legacy";
  return function onReplayRequest(message) {
    const [identity, , startSeqFrame] = message;
    if (message.length !== 3 || identity === undefined || startSeqFrame === undefined) {
      options.onError(
        new Error(`kv-events replay: ignored a request of ${message.length} frames (expected 3)`),
      );
      return;
    }
    const startSeq = readBigEndian(startSeqFrame);
    for (const [seq, payload] of buffer.from(startSeq)) {
      const head = isLegacy ? [identity, EMPTY] : [identity, EMPTY, topicFrame];
      router.send([...head, encodeSeq(seq), payload]);
    }
    router.send(
      isLegacy ? [identity, EMPTY, END_SEQ_FRAME, EMPTY] : [identity, EMPTY, EMPTY, END_SEQ_FRAME, EMPTY],
    );
  };
}

/** Python's `int.from_bytes(b, "big")`: any length, unsigned. */
function readBigEndian(frame: Uint8Array): bigint {
  let value = 0n;
  for (const byte of frame) value = (value << 8n) | BigInt(byte);
  return value;
}

interface ReplayBuffer {
  push(seq: bigint, payload: Uint8Array): void;
  from(startSeq: bigint): Iterable<readonly [bigint, Uint8Array]>;
}

/** vLLM's `deque(maxlen=buffer_steps)` of (seq, payload): the oldest batch falls out first. */
function createReplayBuffer(capacity: number): ReplayBuffer {
  const seqs: bigint[] = new Array(capacity);
  const payloads: Uint8Array[] = new Array(capacity);
  let start = 0;
  let size = 0;
  return {
    push(seq, payload) {
      if (capacity === 0) return;
      const slot = (start + size) % capacity;
      seqs[slot] = seq;
      payloads[slot] = payload;
      if (size < capacity) size += 1;
      else start = (start + 1) % capacity;
    },
    *from(startSeq) {
      for (let i = 0; i < size; i++) {
        const slot = (start + i) % capacity;
        const seq = seqs[slot] ?? -1n;
        const payload = payloads[slot];
        if (seq >= startSeq && payload !== undefined) yield [seq, payload] as const;
      }
    },
  };
}

function ignoreError(_error: Error): void {}
