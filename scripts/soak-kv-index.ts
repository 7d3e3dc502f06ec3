// Soak of the KV-event path (not a test): a child process publishes vLLM KV events as fast as asked
// over ZMQ; this process subscribes into a bounded prefix index and samples RSS, heap and index size, to
// show memory stays flat once the bound is reached. Run: bun scripts/soak-kv-index.ts --minutes 10
import { parseArgs } from "node:util";
import {
  bindPublisher,
  createBlockHasher,
  encodeKvEventBatch,
  encodeSeq,
  type KvEvent,
  PrefixIndex,
  startKvEventSubscriber,
  type WireBlockHash,
} from "../src/kvcache/index.ts";
import { createLogger } from "../src/telemetry/index.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    publisher: { type: "boolean", default: false },
    minutes: { type: "string", default: "10" },
    "max-entries": { type: "string", default: "500000" },
    "batches-per-second": { type: "string", default: "400" },
  },
});

const BLOCK = 16;
const EVENTS_PER_BATCH = 32;
const BLOCKS_PER_EVENT = 16;

if (values.publisher) await runPublisher(Number(values["batches-per-second"]));
else await runSoak(Number(values.minutes), Number(values["max-entries"]));

/** Child: publishes 16-block BlockStored events with random hashes, and removals of earlier blocks. */
async function runPublisher(batchesPerSecond: number): Promise<void> {
  const pub = await bindPublisher("tcp://127.0.0.1:0");
  process.stdout.write(`${pub.endpoint}\n`);
  const topic = new TextEncoder().encode("kv@soak@model");
  const random = new BigUint64Array(EVENTS_PER_BATCH * BLOCKS_PER_EVENT);
  const tokens = Array.from({ length: BLOCK * BLOCKS_PER_EVENT }, (_, i) => 1000 + i);
  let seq = 0n;
  let previous: WireBlockHash[] = [];
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((batchesPerSecond * tickMs) / 1000));
  setInterval(function publishTick() {
    for (let n = 0; n < perTick; n++) {
      crypto.getRandomValues(random);
      const events: KvEvent[] = [];
      for (let e = 0; e < EVENTS_PER_BATCH; e++) {
        const hashes = Array.from(random.subarray(e * BLOCKS_PER_EVENT, (e + 1) * BLOCKS_PER_EVENT));
        events.push({
          type: "BlockStored",
          blockHashes: hashes,
          parentBlockHash: hashes[0]!,
          tokenIds: tokens,
          blockSize: BLOCK,
          loraId: null,
          medium: "GPU",
          loraName: null,
          extraKeys: null,
          groupIdx: 0,
          kvCacheSpecKind: "full_attention",
          kvCacheSpecSlidingWindow: null,
        });
      }
      // The engine evicts about half of what the previous step stored.
      events.push({ type: "BlockRemoved", blockHashes: previous, medium: "GPU", groupIdx: 0 });
      previous = events.flatMap((event) =>
        event.type === "BlockStored" ? event.blockHashes.slice(0, 8) : [],
      );
      const payload = encodeKvEventBatch({ ts: Date.now() / 1000, events, dataParallelRank: 0 }, "map");
      pub.send([topic, encodeSeq(seq), payload]);
      seq += 1n;
    }
  }, tickMs);
}

/** Parent: subscribes, samples memory every 10 s, and prints a Markdown table and a verdict. */
async function runSoak(minutes: number, maxEntries: number): Promise<void> {
  const child = Bun.spawn(
    [
      process.execPath,
      import.meta.path,
      "--publisher",
      "--batches-per-second",
      String(values["batches-per-second"]),
    ],
    {
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  const reader = child.stdout.getReader();
  const first = await reader.read();
  const endpoint = new TextDecoder().decode(first.value).trim();
  const hasher = await createBlockHasher("sha256_cbor", "0");
  const index = new PrefixIndex({ hasher, now: () => Date.now(), maxEntries });
  const subscriber = startKvEventSubscriber({
    engineId: "soak",
    endpoint,
    replayEndpoint: null,
    topic: "kv@soak@model",
    logger: createLogger({ level: "warn", format: "json" }),
    now: () => Date.now(),
    onBatch: (id, batch) => index.applyBatch(id, batch),
    onReset: (id) => index.clearEngine(id),
  });
  const rows: string[] = [];
  const samples: { rssMb: number; entries: number }[] = [];
  const started = Date.now();
  const sample = () => {
    Bun.gc(true);
    const memory = process.memoryUsage();
    const stats = index.stats();
    const sub = subscriber.stats();
    const rssMb = memory.rss / 1e6;
    samples.push({ rssMb, entries: stats.entries });
    const row = [
      `${Math.round((Date.now() - started) / 1000)} s`,
      `${rssMb.toFixed(1)}`,
      `${(memory.heapUsed / 1e6).toFixed(1)}`,
      `${stats.entries}`,
      `${(stats.tableBytes / 1e6).toFixed(1)}`,
      `${stats.evictions}`,
      `${sub.events}`,
      `${sub.gaps}/${sub.lostBatches}`,
      `${(sub.lastLagMs ?? 0).toFixed(0)}`,
    ];
    rows.push(`| ${row.join(" | ")} |`);
    process.stderr.write(`${row.join(" ")}\n`);
  };
  const timer = setInterval(sample, 10_000);
  await Bun.sleep(minutes * 60_000);
  clearInterval(timer);
  sample();
  child.kill();
  await subscriber.stop();
  const header =
    "| t | RSS MB | heap MB | entries | table MB | evictions | events | gaps/lost | lag ms |\n|---|---|---|---|---|---|---|---|---|";
  process.stdout.write(`${header}\n${rows.join("\n")}\n`);
  // After the first minute the index is at its bound; memory must not keep growing from there.
  const settled = samples.filter((_, i) => i >= Math.min(6, samples.length - 1));
  const growthMb = settled.at(-1)!.rssMb - settled[0]!.rssMb;
  const maxSeen = Math.max(...samples.map((s) => s.entries));
  process.stdout.write(
    `\nbound ${maxEntries} entries, max seen ${maxSeen}; RSS change after the first minute: ${growthMb.toFixed(1)} MB\n`,
  );
  process.exit(maxSeen <= maxEntries ? 0 : 1);
}
