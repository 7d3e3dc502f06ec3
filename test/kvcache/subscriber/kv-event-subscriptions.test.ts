// The subscription manager follows the pool: subscribes endpoints that publish KV events, feeds the
// index (resyncing engines that hash differently), and unsubscribes and forgets endpoints that leave.
import { afterEach, expect, test } from "bun:test";
import { PrefixIndex } from "../../../src/kvcache/prefix-index.ts";
import {
  type KvEventSubscriptions,
  startKvEventSubscriptions,
} from "../../../src/kvcache/subscriber/index.ts";
import { type EndpointDescriptor, EndpointPool } from "../../../src/pool/index.ts";
import { createLogger } from "../../../src/telemetry/index.ts";
import { chainOf, foreignHasher, manualClock, requestHasher, tokensOf } from "../prefix-index/events.ts";
import { type PythonPublisher, startPublisher, storedJson, waitUntil } from "./python-publisher.ts";

const logger = createLogger({ level: "silent", format: "json" });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function descriptor(id: string, pub: PythonPublisher | null): EndpointDescriptor {
  return {
    id,
    baseUrl: `http://127.0.0.1:1/${id}`,
    models: ["m"],
    loraAdapters: [],
    role: "both",
    labels: {},
    kvEvents:
      pub === null
        ? null
        : { endpoint: pub.pubEndpoint, replayEndpoint: pub.replayEndpoint, topic: "kv@engine@model" },
    source: "static",
  };
}

async function setup() {
  const clock = manualClock();
  const pool = new EndpointPool({ now: clock.now });
  const index = new PrefixIndex({ hasher: requestHasher, now: clock.now });
  const subscriptions: KvEventSubscriptions = startKvEventSubscriptions({
    pool,
    index,
    logger,
    now: () => Date.now(),
    subscriberOptions: { connectOptions: { reconnectInitialMs: 20, reconnectMaxMs: 100 } },
  });
  cleanups.push(() => subscriptions.stop());
  return { pool, index, subscriptions };
}

async function publisher(): Promise<PythonPublisher> {
  const pub = await startPublisher();
  cleanups.push(() => pub.stop());
  return pub;
}

const chain = chainOf(tokensOf(3));

test("subscribes endpoints with KV events, feeds the index, and forgets endpoints that leave", async () => {
  const { pool, index, subscriptions } = await setup();
  const pubA = await publisher();
  await pubA.publish([storedJson(chain)]);
  pool.upsert(descriptor("a", pubA));
  pool.upsert(descriptor("plain", null));
  await waitUntil(
    () => index.matchLengths(chain.keys, ["a"]).get("a")?.matchedBlocks === 3,
    () => "not indexed",
  );
  expect(subscriptions.stats().subscribers.map((s) => s.engineId)).toEqual(["a"]);
  pool.remove("a");
  expect(index.engineKeyMode("a")).toBeNull();
  expect(index.matchLengths(chain.keys, ["a"]).get("a")?.matchedBlocks).toBe(0);
  expect(subscriptions.stats().subscribers).toEqual([]);
});

test("an engine hashing with another seed is replayed from 0 and indexed by token-derived keys", async () => {
  const { pool, index, subscriptions } = await setup();
  const pub = await publisher();
  const foreign = chainOf(chain.tokens, foreignHasher);
  await pub.publish([storedJson(foreign, 0, 1)]);
  await pub.publish([storedJson(foreign, 1, 3)]);
  pool.upsert(descriptor("x", pub));
  await waitUntil(
    () => index.matchLengths(chain.keys, ["x"]).get("x")?.matchedBlocks === 3,
    () => JSON.stringify(index.stats()),
  );
  expect(index.engineKeyMode("x")).toBe("token-derived");
  // Initial replay, then the replay from 0 the resync asked for.
  expect(subscriptions.stats().subscribers[0]?.replays).toBe(2);
  await pub.publish([{ type: "BlockRemoved", block_hashes: [String(foreign.keys[2])] }]);
  await waitUntil(
    () => index.matchLengths(chain.keys, ["x"]).get("x")?.matchedBlocks === 2,
    () => "not removed",
  );
});
