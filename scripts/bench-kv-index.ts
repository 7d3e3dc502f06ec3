// Benchmarks of the precise prefix index (not a test): event ingestion per core, lookup latency for 8k
// and 128k-token prompts across 16 and 96 engines, tokenization with and without the section cache,
// and bytes per indexed block. Prints a Markdown table. Run: bun scripts/bench-kv-index.ts
import {
  type BlockStoredEvent,
  computeRequestKeys,
  createBlockHasher,
  decodeKvEventBatch,
  encodeKvEventBatch,
  type KvEvent,
  type KvEventBatch,
  loadTokenizer,
  PrefixIndex,
} from "../src/kvcache/index.ts";
import { fixtureModelDir } from "../test/fixtures/models/index.ts";

const BLOCK = 16;
const hasher = await createBlockHasher("sha256_cbor", "0");
const rows: [string, string, string][] = [];

function addRow(row: [string, string, string]): void {
  rows.push(row);
  process.stderr.write(`${row.join(" | ")}\n`);
}
// Real block keys are SHA-256 output: uniformly random 64-bit values.
const randomPool = new BigUint64Array(1 << 16);
let randomAt = randomPool.length;

function random64(): bigint {
  if (randomAt === randomPool.length) {
    crypto.getRandomValues(randomPool);
    randomAt = 0;
  }
  return randomPool[randomAt++]!;
}

function storedEvent(blocks: number): BlockStoredEvent {
  return {
    type: "BlockStored",
    blockHashes: Array.from({ length: blocks }, random64),
    parentBlockHash: random64(),
    tokenIds: Array.from({ length: blocks * BLOCK }, (_, i) => i + 1000),
    blockSize: BLOCK,
    loraId: null,
    medium: "GPU",
    loraName: null,
    extraKeys: Array.from({ length: blocks }, () => null),
    groupIdx: 0,
    kvCacheSpecKind: "full_attention",
    kvCacheSpecSlidingWindow: null,
  };
}

/** 64-event batches of 16-block BlockStored (and one removal per event), as a busy engine step emits. */
function makeBatches(count: number): KvEventBatch[] {
  return Array.from({ length: count }, () => {
    const events: KvEvent[] = [];
    for (let i = 0; i < 32; i++) {
      const stored = storedEvent(16);
      events.push(stored, {
        type: "BlockRemoved",
        blockHashes: [stored.blockHashes[0]!],
        medium: "GPU",
        groupIdx: 0,
      });
    }
    return { ts: 1, events, dataParallelRank: 0 };
  });
}

function blocksOf(batches: readonly KvEventBatch[]): number {
  let blocks = 0;
  for (const batch of batches)
    for (const event of batch.events) if (event.type === "BlockStored") blocks += event.blockHashes.length;
  return blocks;
}

function benchIngest(): void {
  const batches = makeBatches(2000);
  const blocks = blocksOf(batches);
  const index = new PrefixIndex({ hasher, now: () => 0, maxEntries: 2_000_000 });
  // No synthetic event starts a sequence, so engines stay "pending": keyed by their own hashes, the fast path.
  for (const batch of batches.slice(0, 200)) index.applyBatch("warmup", batch);
  const start = performance.now();
  for (const [i, batch] of batches.entries()) index.applyBatch(`e${i % 8}`, batch);
  const seconds = (performance.now() - start) / 1000;
  addRow([
    "ingest, decoded batches (index only)",
    `${fmt(blocks / seconds / 1e6, 2)} M blocks/s`,
    `${blocks} blocks, 8 engines, 2M-entry bound (evicting)`,
  ]);
  for (const layout of ["array", "map"] as const) {
    const payloads = batches.slice(0, 500).map((batch) => encodeKvEventBatch(batch, layout));
    const decodedBlocks = blocksOf(batches.slice(0, 500));
    const index2 = new PrefixIndex({ hasher, now: () => 0, maxEntries: 2_000_000 });
    for (const payload of payloads.slice(0, 50)) decodeKvEventBatch(payload);
    const t0 = performance.now();
    for (const payload of payloads) index2.applyBatch("e", decodeKvEventBatch(payload));
    const s = (performance.now() - t0) / 1000;
    addRow([
      `ingest incl. msgpack decode (${layout} layout)`,
      `${fmt(decodedBlocks / s / 1e6, 2)} M blocks/s`,
      "16 token ids per block on the wire",
    ]);
  }
}

function benchLookup(promptTokens: number, engines: number): void {
  const keys = BigUint64Array.from({ length: promptTokens / BLOCK }, random64);
  const index = new PrefixIndex({ hasher, now: () => 0, maxEntries: 4_000_000 });
  const ids = Array.from({ length: engines }, (_, i) => `engine-${i}`);
  // Worst case: every engine holds the whole prompt, so every key visits every engine.
  for (const id of ids) index.insertSpeculative(id, keys, 1e12);
  const samples: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    const result = index.matchLengths(keys, ids);
    samples.push(performance.now() - t0);
    if (result.get(ids[0]!)?.matchedBlocks !== keys.length) throw new Error("lookup mismatch");
  }
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(samples.length / 2)]!;
  const p99 = samples[Math.floor(samples.length * 0.99)]!;
  addRow([
    `lookup ${promptTokens / 1024}k tokens × ${engines} engines`,
    `p50 ${fmt(p50, 3)} ms, p99 ${fmt(p99, 3)} ms`,
    `${keys.length} keys, all engines match fully (worst case)`,
  ]);
}

async function benchTokenize(): Promise<void> {
  const dir = fixtureModelDir("qwen3");
  const cold = await loadTokenizer(dir, { sectionCacheChars: 0 });
  const cached = await loadTokenizer(dir);
  const words = "alpha beta gamma delta router cache token engine prefix throughput latency block".split(" ");
  const text = Array.from({ length: 110_000 }, (_, i) => words[(i * 7919) % words.length]).join(" ");
  const conversation = (question: string) => [
    { role: "system", content: text },
    { role: "user", content: question },
  ];
  for (const [name, tokenizer] of [
    ["no section cache", cold],
    ["section cache, 90%+ prefix seen", cached],
  ] as const) {
    tokenizer.encodeChat(conversation("warm up the shared system prompt"), {});
    const t0 = performance.now();
    const ids = tokenizer.encodeChat(conversation("a new question about the log"), {});
    const ms = performance.now() - t0;
    addRow([
      `tokenize ${Math.round(ids.length / 1000)}k-token chat (${name})`,
      `${fmt(ids.length / ms / 1000, 2)} M tok/s`,
      `${fmt(ms, 1)} ms`,
    ]);
  }
  const deps = { hasher, blockSize: BLOCK, tokenizer: cached, timeoutMs: 10_000 };
  const t0 = performance.now();
  const result = await computeRequestKeys(
    { kind: "chat", body: { messages: conversation("third question") }, loraName: null },
    deps,
  );
  if (!result.isOk) throw new Error(result.detail);
  addRow([
    "computeRequestKeys (tokenize + sha256_cbor chain)",
    `${fmt(performance.now() - t0, 1)} ms`,
    `${result.value.keys.length} blocks, shared prefix cached`,
  ]);
}

function benchBytes(): void {
  const entries = 2_000_000;
  Bun.gc(true);
  const rssBefore = process.memoryUsage().rss;
  const index = new PrefixIndex({ hasher, now: () => 0, maxEntries: entries });
  const batches = makeBatches(300);
  for (let round = 0; index.stats().evictions === 0; round++) {
    for (const batch of batches) index.applyBatch(`e${round % 8}`, batch);
    batches.splice(0, batches.length, ...makeBatches(300));
  }
  batches.length = 0;
  Bun.gc(true);
  const rssBytes = process.memoryUsage().rss - rssBefore;
  const stats = index.stats();
  addRow([
    "bytes per indexed block-engine entry (typed arrays)",
    `${fmt(stats.tableBytes / stats.entries, 1)} B`,
    `${stats.entries} entries at the bound, 8 engines`,
  ]);
  addRow([
    "same, process RSS growth / entries",
    `${fmt(rssBytes / stats.entries, 1)} B`,
    "includes allocator slack and freed growth copies",
  ]);
  // A fresh process, so garbage of the runs above does not blur the heap delta.
  const child = Bun.spawnSync([process.execPath, import.meta.path, "--naive-map"], { stdout: "pipe" });
  addRow([
    "for comparison: Map<bigint, Map<engine, tier>>",
    `${child.stdout.toString().trim()} B heap`,
    "per entry, 4 engines per key, without LRU or reverse sets",
  ]);
}

/** Heap bytes per (key, engine) entry of the obvious JS structure, printed for the parent process. */
function measureNaiveMap(): void {
  const keys = BigUint64Array.from({ length: 250_000 }, random64);
  Bun.gc(true);
  const before = process.memoryUsage().heapUsed;
  const naive = new Map<bigint, Map<number, number>>();
  for (const key of keys)
    naive.set(
      key,
      new Map([
        [0, 1],
        [1, 1],
        [2, 1],
        [3, 1],
      ]),
    );
  Bun.gc(true);
  process.stdout.write(`${fmt((process.memoryUsage().heapUsed - before) / (naive.size * 4), 1)}\n`);
}

function fmt(value: number, digits: number): string {
  return value.toFixed(digits);
}

if (process.argv.includes("--naive-map")) {
  measureNaiveMap();
  process.exit(0);
}
benchIngest();
for (const tokens of [8192, 131072]) for (const engines of [16, 96]) benchLookup(tokens, engines);
await benchTokenize();
benchBytes();
const lines = [
  "| measure | result | notes |",
  "|---|---|---|",
  ...rows.map((row) => `| ${row.join(" | ")} |`),
];
process.stdout.write(`${lines.join("\n")}\n`);
