// The node's prefix cache: request block keys as the engines hash them (builtin tokenizer for sims,
// tokenizer files of a local model, an engine's render route otherwise), their cache and timeout, the
// index fed by the pool's KV events, and its metrics.
import { afterEach, describe, expect, test } from "bun:test";
import { createPrefixCache, type PrefixCache } from "../../src/cli/prefix-cache-setup.ts";
import { type Config, ConfigSchema } from "../../src/config/index.ts";
import type { PrefixKeysInput } from "../../src/gateway/index.ts";
import {
  bindPublisher,
  computeRequestKeys,
  createBlockHasher,
  createBuiltinTokenizer,
  encodeKvEventBatch,
  encodeSeq,
  loadTokenizer,
  type PromptTokenizer,
  type ZmqPublisher,
} from "../../src/kvcache/index.ts";
import { type EndpointDescriptor, EndpointPool } from "../../src/pool/index.ts";
import type { Plan } from "../../src/supervisor/index.ts";
import { createLogger, createMetricsRegistry, type MetricsRegistry } from "../../src/telemetry/index.ts";
import { fixtureModelDir } from "../fixtures/models/index.ts";

const logger = createLogger({ level: "silent", format: "json" });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function config(kvcache: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({ kvcache });
}

function planOf(instances: { model: string; engine: "sim" | "vllm"; extraArgs?: string[] }[]): Plan {
  return {
    host: "127.0.0.1",
    pythonHashSeed: "0",
    vllmCommand: ["vllm", "serve"],
    simArgs: [],
    gpuReport: "",
    gpus: [],
    instances: instances.map((instance, i) => ({
      id: `i${i}`,
      entryIndex: i,
      engine: instance.engine,
      model: instance.model,
      servedModelNames: ["m"],
      role: "both",
      tensorParallelSize: 1,
      gpus: [],
      port: 1,
      kvEventsPort: 2,
      replayPort: 3,
      nixlPort: null,
      spec: ConfigSchema.parse({ engines: [{ model: instance.model, extra_args: instance.extraArgs ?? [] }] })
        .engines[0]!,
    })),
  };
}

/** A KV-event source that never answers: the endpoint counts as followed, so keys are worth computing. */
const EVENTS = { endpoint: "tcp://127.0.0.1:1", replayEndpoint: null, topic: "" };

function descriptor(id: string, kvEvents: EndpointDescriptor["kvEvents"] = null): EndpointDescriptor {
  return {
    id,
    baseUrl: `http://engine-${id}`,
    models: ["m"],
    loraAdapters: [],
    role: "both",
    labels: {},
    kvEvents,
    source: "static",
  };
}

interface Started {
  readonly cache: PrefixCache;
  readonly pool: EndpointPool;
  readonly registry: MetricsRegistry;
}

async function started(
  kvcache: Record<string, unknown>,
  plan: Plan | null,
  fetchImpl?: (url: string, init: RequestInit) => Promise<Response>,
): Promise<Started> {
  const cache = await createPrefixCache({ config: config(kvcache), plan, now: () => Date.now(), fetchImpl });
  if (cache === null) throw new Error("kvcache.events is on");
  const pool = new EndpointPool({ now: () => Date.now() });
  const registry = createMetricsRegistry();
  cache.start({ pool, registry, logger });
  cleanups.push(() => cache.stop());
  return { cache, pool, registry };
}

function chat(content: string): PrefixKeysInput {
  return {
    requestId: "r",
    route: "chat",
    body: { model: "m", messages: [{ role: "user", content }] },
    model: "m",
    loraName: null,
  };
}

async function expectedKeys(tokenizer: PromptTokenizer, input: PrefixKeysInput): Promise<bigint[]> {
  const hasher = await createBlockHasher("sha256_cbor", "0");
  const result = await computeRequestKeys(
    { kind: "chat", body: input.body, loraName: null },
    { hasher, blockSize: 16, tokenizer, timeoutMs: 1000 },
  );
  if (!result.isOk) throw new Error(result.detail);
  return [...result.value.keys];
}

async function outcomes(registry: MetricsRegistry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await registry.metrics()).split("\n")) {
    const match = /^llmux_kvcache_request_keys_total\{outcome="([a-z_-]+)"\} (\d+)/.exec(line);
    if (match !== null) out[match[1]!] = Number(match[2]);
  }
  return out;
}

const PROMPT = "the quick brown fox jumps over the lazy dog ".repeat(12);

describe("createPrefixCache", () => {
  test("is null when kvcache.events is off", async () => {
    expect(
      await createPrefixCache({ config: config({ events: false }), plan: null, now: () => 0 }),
    ).toBeNull();
  });

  test("keys a sim's chat prompt with the builtin tokenizer the sim hashes with, and caches them", async () => {
    const { cache, pool, registry } = await started({}, planOf([{ model: "not-a-dir", engine: "sim" }]));
    pool.upsert(descriptor("e1", EVENTS));
    const keys = await cache.prefixKeys(chat(PROMPT));
    const expected = await expectedKeys(createBuiltinTokenizer(), chat(PROMPT));
    expect(expected.length).toBeGreaterThan(4);
    expect(keys === undefined ? null : [...keys.keys]).toEqual(expected);
    expect(keys?.blockSizeTokens).toBe(16);
    expect(await cache.prefixKeys(chat(PROMPT))).toBe(keys as NonNullable<typeof keys>);
    expect(await outcomes(registry)).toEqual({ tokenizer: 1, cache_hit: 1 });
  });

  test("computes no keys when no engine of the model publishes KV events", async () => {
    const { cache, pool, registry } = await started({}, planOf([{ model: "not-a-dir", engine: "sim" }]));
    pool.upsert(descriptor("e1"));
    expect(await cache.prefixKeys(chat(PROMPT))).toBeUndefined();
    expect(await outcomes(registry)).toEqual({ no_kv_events: 1 });
  });

  test("takes the block size the engines report in cache_config_info", async () => {
    const { cache, pool } = await started({}, planOf([{ model: "not-a-dir", engine: "sim" }]));
    pool.upsert(descriptor("e1", EVENTS));
    pool.setMetrics("e1", {
      waitingRequests: 0,
      runningRequests: 0,
      kvUsageRatio: 0,
      blockSize: 32,
      numGpuBlocks: 100,
      runningLoras: [],
      waitingLoras: [],
      maxLoras: null,
      scrapedAtMs: Date.now(),
    });
    const keys = await cache.prefixKeys(chat(PROMPT));
    expect(keys?.blockSizeTokens).toBe(32);
    expect(keys?.keys.length).toBe(Math.floor((keys?.promptTokens ?? 0) / 32));
  });

  test("asks an engine's render route when no tokenizer is known, and gives up after keys_timeout_ms", async () => {
    const tokens = Array.from({ length: 40 }, (_, i) => 1000 + i);
    const renders: string[] = [];
    let isHanging = false;
    const { cache, pool, registry } = await started({ keys_timeout_ms: 50 }, null, (url, init) => {
      renders.push(url);
      if (!isHanging) return Promise.resolve(Response.json({ token_ids: tokens }));
      return new Promise((_, reject) =>
        init.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
      );
    });
    pool.upsert(descriptor("e1", EVENTS));
    const keys = await cache.prefixKeys(chat("rendered"));
    expect(renders).toEqual(["http://engine-e1/v1/chat/completions/render"]);
    expect(keys?.keys.length).toBe(2);
    expect(keys?.promptTokens).toBe(40);
    isHanging = true;
    const startedMs = performance.now();
    expect(await cache.prefixKeys(chat("slow engine"))).toBeUndefined();
    expect(performance.now() - startedMs).toBeLessThan(1000);
    expect(await outcomes(registry)).toEqual({ render: 1, timeout: 1 });
  });

  test("gives no keys for routes it cannot tokenize or models no engine serves", async () => {
    const { cache, pool, registry } = await started({}, planOf([{ model: "not-a-dir", engine: "sim" }]));
    expect(await cache.prefixKeys(chat(PROMPT))).toBeUndefined();
    pool.upsert(descriptor("e1", EVENTS));
    expect(await cache.prefixKeys({ ...chat(PROMPT), route: "embeddings" })).toBeUndefined();
    expect(await outcomes(registry)).toEqual({ unsupported_route: 1 });
  });

  test("loads a local model directory's tokenizer, with a worker for long prompts", async () => {
    const dir = fixtureModelDir("qwen3");
    const { cache, pool, registry } = await started(
      { keys_timeout_ms: 5000 },
      planOf([{ model: "hub/id", engine: "vllm", extraArgs: ["--tokenizer", dir] }]),
      () => Promise.resolve(new Response("no render here", { status: 404 })),
    );
    pool.upsert(descriptor("e1", EVENTS));
    const tokenizer = await loadTokenizer(dir);
    const long = chat("cache ".repeat(4000));
    const deadline = Date.now() + 20_000;
    while ((await outcomes(registry)).worker === undefined && Date.now() < deadline) {
      await cache.prefixKeys({ ...long, body: { ...long.body, cache_salt: String(Date.now()) } });
      await Bun.sleep(50);
    }
    // Until the worker is up, long prompts go to an engine's render route, never to the inline tokenizer.
    const before = await outcomes(registry);
    expect(before.worker).toBe(1);
    expect(before.tokenizer).toBeUndefined();
    expect([...((await cache.prefixKeys(chat(PROMPT)))?.keys ?? [])]).toEqual(
      await expectedKeys(tokenizer, chat(PROMPT)),
    );
    expect(await outcomes(registry)).toMatchObject({ tokenizer: 1, worker: 1 });
  }, 30_000);
});

describe("the index behind the cache", () => {
  async function publisher(): Promise<ZmqPublisher> {
    const pub = await bindPublisher("tcp://127.0.0.1:0");
    cleanups.push(() => pub.close());
    return pub;
  }

  test("follows the pool's KV events into the index and onto /metrics", async () => {
    const { cache, pool, registry } = await started({}, planOf([{ model: "not-a-dir", engine: "sim" }]));
    const pub = await publisher();
    pool.upsert(descriptor("e1", { endpoint: pub.endpoint, replayEndpoint: null, topic: "kv@e1@m" }));
    pool.upsert(descriptor("e2"));
    const tokens = createBuiltinTokenizer().encodeChat([{ role: "user", content: PROMPT }], {
      addGenerationPrompt: true,
    });
    const keys = (await cache.prefixKeys(chat(PROMPT)))?.keys ?? [];
    const full = Math.floor(tokens.length / 16) * 16;
    const payload = encodeKvEventBatch(
      {
        ts: Date.now() / 1000,
        events: [
          {
            type: "BlockStored",
            blockHashes: [...keys],
            parentBlockHash: null,
            tokenIds: tokens.slice(0, full),
            blockSize: 16,
            loraId: null,
            medium: "GPU",
            loraName: null,
            extraKeys: null,
            groupIdx: 0,
            kvCacheSpecKind: "full_attention",
            kvCacheSpecSlidingWindow: null,
          },
        ],
        dataParallelRank: 0,
      },
      "map",
    );
    // PUB drops messages sent before the subscription lands: publish until the index has them.
    const deadline = Date.now() + 10_000;
    for (let seq = 0; Date.now() < deadline; seq++) {
      pub.send([new TextEncoder().encode("kv@e1@m"), encodeSeq(seq), payload]);
      if ((cache.index.matchLengths(keys, ["e1"]).get("e1")?.matchedBlocks ?? 0) > 0) break;
      await Bun.sleep(20);
    }
    const matches = cache.index.matchLengths(keys, ["e1", "e2"]);
    expect(matches.get("e1")?.matchedBlocks).toBe(keys.length);
    expect(matches.get("e2")?.matchedBlocks ?? 0).toBe(0);
    const text = await registry.metrics();
    expect(text).toMatch(/llmux_kvcache_events_total\{engine="e1"\} [1-9]/);
    expect(text).toMatch(new RegExp(`llmux_kvcache_index_entries ${keys.length}\\b`));
    expect(text).toContain("llmux_kvcache_index_bytes");
  });

  test("puts speculative entries only on engines whose KV events it follows", async () => {
    const { cache, pool } = await started({ speculative_ttl_ms: 60_000 }, null);
    pool.upsert(descriptor("events", { endpoint: "tcp://127.0.0.1:1", replayEndpoint: null, topic: "" }));
    pool.upsert(descriptor("silent"));
    cache.index.insertSpeculative("events", [1n, 2n]);
    cache.index.insertSpeculative("silent", [1n, 2n]);
    const matches = cache.index.matchLengths([1n, 2n], ["events", "silent"]);
    expect(matches.get("events")?.matchedBlocks).toBe(2);
    expect(matches.get("silent")?.matchedBlocks ?? 0).toBe(0);
  });

  test("speculative_ttl_ms 0 turns speculative entries off", async () => {
    const { cache, pool } = await started({ speculative_ttl_ms: 0 }, null);
    pool.upsert(descriptor("events", { endpoint: "tcp://127.0.0.1:1", replayEndpoint: null, topic: "" }));
    cache.index.insertSpeculative("events", [1n, 2n]);
    expect(cache.index.matchLengths([1n, 2n], ["events"]).get("events")?.matchedBlocks ?? 0).toBe(0);
  });
});
