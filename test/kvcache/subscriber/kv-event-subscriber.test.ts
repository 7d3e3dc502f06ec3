// The per-rank subscriber against a real libzmq publisher sending vLLM payloads: initial replay, live
// order, gap + replay in both layouts, engine restart, malformed frames, replay cooldown, DP port offsets.
import { afterEach, describe, expect, test } from "bun:test";
import type { KvEventBatch } from "../../../src/kvcache/index.ts";
import { PrefixIndex } from "../../../src/kvcache/prefix-index.ts";
import { type KvEventSubscriber, startKvEventSubscriber } from "../../../src/kvcache/subscriber/index.ts";
import { createLogger } from "../../../src/telemetry/index.ts";
import { freePort } from "../../helpers/cli-process.ts";
import { chainOf, manualClock, requestHasher, tokensOf } from "../prefix-index/events.ts";
import {
  type PublisherOptions,
  type PythonPublisher,
  startPublisher,
  storedJson,
  waitUntil,
} from "./python-publisher.ts";

const logger = createLogger({ level: "silent", format: "json" });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function publisher(options: PublisherOptions = {}): Promise<PythonPublisher> {
  const started = await startPublisher(options);
  cleanups.push(() => started.stop());
  return started;
}

interface Feed {
  readonly subscriber: KvEventSubscriber;
  readonly batches: KvEventBatch[];
  readonly resets: string[];
  /** First block hash of each BlockStored, in arrival order. */
  firstHashes(): bigint[];
}

function subscribe(
  pub: PythonPublisher,
  extra: Partial<Parameters<typeof startKvEventSubscriber>[0]> = {},
): Feed {
  const batches: KvEventBatch[] = [];
  const resets: string[] = [];
  const subscriber = startKvEventSubscriber({
    engineId: "e0",
    endpoint: pub.pubEndpoint,
    replayEndpoint: pub.replayEndpoint,
    topic: "kv@engine@model",
    logger,
    now: () => Date.now(),
    onBatch: (_id, batch) => batches.push(batch),
    onReset: (id) => resets.push(id),
    connectOptions: { reconnectInitialMs: 20, reconnectMaxMs: 100 },
    ...extra,
  });
  cleanups.push(() => subscriber.stop());
  return {
    subscriber,
    batches,
    resets,
    firstHashes: () =>
      batches.flatMap((b) =>
        b.events.flatMap((e) => (e.type === "BlockStored" ? [e.blockHashes[0] as bigint] : [])),
      ),
  };
}

const chains = Array.from({ length: 8 }, (_, i) => chainOf(tokensOf(2, 1000 * i)));
const firstKey = (i: number) => chains[i]!.keys[0]!;

describe.each([
  ["map", "v0.26"],
  ["array", "legacy"],
] as const)("subscriber with a libzmq publisher (%s events, %s replay)", (layout, replayLayout) => {
  test("replays what was published before it connected, then follows live batches in order", async () => {
    const pub = await publisher({ layout, replayLayout });
    await pub.publish([storedJson(chains[0]!)]);
    await pub.publish([
      storedJson(chains[1]!),
      { type: "BlockRemoved", block_hashes: [String(firstKey(0))] },
    ]);
    const feed = subscribe(pub);
    await waitUntil(
      () => feed.batches.length === 2,
      () => `${feed.batches.length} batches`,
    );
    await waitUntil(
      () => feed.subscriber.stats().isConnected,
      () => "not connected",
    );
    await pub.publish([storedJson(chains[2]!)]);
    await waitUntil(
      () => feed.batches.length === 3,
      () => `${feed.batches.length} batches`,
    );
    expect(feed.firstHashes()).toEqual([firstKey(0), firstKey(1), firstKey(2)]);
    const second = feed.batches[1]!.events;
    expect(second.map((e) => e.type)).toEqual(["BlockStored", "BlockRemoved"]);
    expect(second[0]).toMatchObject({
      tokenIds: chains[1]!.tokens,
      blockSize: 4,
      medium: "GPU",
      groupIdx: 0,
    });
    expect(feed.subscriber.stats()).toMatchObject({
      lastSeq: 2n,
      batches: 3,
      events: 4,
      gaps: 0,
      replays: 1,
    });
  });

  test("a gap is filled by a replay from last+1, in order", async () => {
    const pub = await publisher({ layout, replayLayout });
    const feed = subscribe(pub);
    await waitUntil(
      () => feed.subscriber.stats().replays === 1 && feed.subscriber.stats().isConnected,
      () => "no initial replay",
    );
    await pub.publish([storedJson(chains[0]!)]);
    await waitUntil(
      () => feed.batches.length === 1,
      () => `${feed.batches.length} batches`,
    );
    await pub.publish([storedJson(chains[1]!)], true);
    await pub.publish([storedJson(chains[2]!)], true);
    await pub.publish([storedJson(chains[3]!)]);
    await waitUntil(
      () => feed.batches.length === 4,
      () => `${feed.batches.length} batches`,
    );
    expect(feed.firstHashes()).toEqual([0, 1, 2, 3].map(firstKey));
    expect(feed.subscriber.stats()).toMatchObject({ gaps: 1, replays: 2, lostBatches: 0, lastSeq: 3n });
  });
});

function indexedFeed(pub: PythonPublisher) {
  const index = new PrefixIndex({ hasher: requestHasher, now: manualClock().now });
  const feed = subscribe(pub, {
    onBatch: (id, batch) => index.applyBatch(id, batch),
    onReset: (id) => index.clearEngine(id),
  });
  return { index, feed, describe: () => JSON.stringify(feed.subscriber.stats(), bigintText) };
}

test("an engine restart is recognised on reconnect: its entries are dropped and it is replayed from 0", async () => {
  const pub = await publisher();
  const { index, feed, describe } = indexedFeed(pub);
  for (const i of [0, 1, 2]) await pub.publish([storedJson(chains[i]!)]);
  await waitUntil(() => index.has("e0", firstKey(2)), describe);
  await pub.restart();
  // The replay from the last applied seq no longer returns that batch: the engine is a new one.
  await waitUntil(() => feed.subscriber.stats().resets === 1, describe);
  for (const i of [0, 1, 2]) expect(index.has("e0", firstKey(i))).toBe(false);
  await pub.publish([storedJson(chains[3]!)]);
  await waitUntil(() => index.has("e0", firstKey(3)), describe);
  expect(feed.subscriber.stats()).toMatchObject({ resets: 1, lastSeq: 0n, gaps: 0 });
});

test("seq going backwards on a live connection resets the engine and replays from 0", async () => {
  const pub = await publisher();
  const { index, feed, describe } = indexedFeed(pub);
  await waitUntil(
    () => feed.subscriber.stats().replays === 1 && feed.subscriber.stats().isConnected,
    describe,
  );
  for (const i of [0, 1, 2]) await pub.publish([storedJson(chains[i]!)]);
  await waitUntil(() => index.has("e0", firstKey(2)), describe);
  await pub.reseq();
  await pub.publish([storedJson(chains[3]!)]);
  await pub.publish([storedJson(chains[4]!)]);
  await waitUntil(() => index.has("e0", firstKey(4)), describe);
  for (const i of [0, 1, 2]) expect(index.has("e0", firstKey(i))).toBe(false);
  expect(index.has("e0", firstKey(3))).toBe(true);
  expect(feed.subscriber.stats()).toMatchObject({ resets: 1, lastSeq: 1n });
});

test("malformed payloads are counted and dropped; later batches still apply", async () => {
  const pub = await publisher();
  const feed = subscribe(pub);
  await waitUntil(
    () => feed.subscriber.stats().isConnected && feed.subscriber.stats().replays === 1,
    () => "not ready",
  );
  await pub.garbage();
  await pub.publish([storedJson(chains[0]!)]);
  await waitUntil(
    () => feed.batches.length === 1,
    () => `${feed.batches.length} batches`,
  );
  expect(feed.subscriber.stats()).toMatchObject({ malformed: 1, gaps: 0, lastSeq: 1n });
});

test("after a failed replay no replay is tried for the cooldown; gaps are then counted as lost", async () => {
  const pub = await publisher();
  const clock = manualClock();
  const feed = subscribe(pub, {
    replayEndpoint: `tcp://127.0.0.1:${freePort()}`,
    replayTimeoutMs: 200,
    now: clock.now,
  });
  await waitUntil(
    () => feed.subscriber.stats().replayFailures === 1,
    () => "replay did not fail",
  );
  await pub.publish([storedJson(chains[0]!)]);
  await pub.publish([storedJson(chains[1]!)], true);
  await pub.publish([storedJson(chains[2]!)]);
  await waitUntil(
    () => feed.batches.length === 2,
    () => `${feed.batches.length} batches`,
  );
  expect(feed.subscriber.stats()).toMatchObject({ replays: 1, gaps: 1, lostBatches: 1 });
  clock.advance(30_000);
  await pub.publish([storedJson(chains[3]!)], true);
  await pub.publish([storedJson(chains[4]!)]);
  await waitUntil(
    () => feed.subscriber.stats().replays === 2,
    () => "no replay after the cooldown",
  );
});

test("data-parallel rank k connects to the PUB and replay ports + k", async () => {
  const pubPort = freePort();
  const replayPort = freePort();
  const pub = await publisher({ pubPort, replayPort, dpRank: 1 });
  expect(pub.pubEndpoint).toBe(`tcp://127.0.0.1:${pubPort + 1}`);
  await pub.publish([storedJson(chains[0]!)]);
  const feed = subscribe(pub, {
    endpoint: `tcp://127.0.0.1:${pubPort}`,
    replayEndpoint: `tcp://127.0.0.1:${replayPort}`,
    dataParallelRank: 1,
  });
  await waitUntil(
    () => feed.batches.length === 1,
    () => "no batch from rank 1",
  );
  expect(feed.batches[0]!.dataParallelRank).toBe(1);
  expect(feed.subscriber.stats()).toMatchObject({
    endpoint: `tcp://127.0.0.1:${pubPort + 1}`,
    rankMismatches: 0,
  });
});

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
