// Wires the precise prefix cache into a node: the KV-event-fed prefix index the scheduler reads, the
// subscriptions that follow the endpoint pool into it, their metrics, and the gateway's source of
// request block keys. It joins kvcache, pool, gateway and supervisor, which only cli/ may do.
import type { Config } from "../config/index.ts";
import type { PrefixKeysInput, PrefixKeysSource } from "../gateway/index.ts";
import {
  computeRequestKeys,
  createBlockHasher,
  DEFAULT_WORKER_MIN_CHARS,
  type KvEventSubscriptions,
  PrefixIndex,
  type RequestKeysDeps,
  type RequestKeysResult,
  registerKvCacheMetrics,
  startKvEventSubscriptions,
} from "../kvcache/index.ts";
import type { EndpointPool, EndpointSnapshot } from "../pool/index.ts";
import type { PrefixIndexReader, PrefixKeys } from "../scheduler/index.ts";
import { ENGINE_PREFIX_HASH_ALGO, type Plan } from "../supervisor/index.ts";
import { HotCounter, HotHistogram, type Logger, type MetricsRegistry } from "../telemetry/index.ts";
import { PromptKeysCache, promptDigest } from "./prefix-keys-cache.ts";
import { type ModelTokenizers, startModelTokenizers } from "./prefix-tokenizers.ts";

/** vLLM's CacheConfig.DEFAULT_BLOCK_SIZE, for engines whose block size is not known yet. */
const DEFAULT_BLOCK_SIZE_TOKENS = 16;

export interface PrefixCacheOptions {
  /** Reads `kvcache:` and `supervisor.python_hash_seed`. */
  readonly config: Config;
  /** The engines `up` launches (their tokenizers); null for `llmux gateway`. */
  readonly plan: Plan | null;
  /** Gateway clock, ms. */
  readonly now: () => number;
  /** For engine render requests; fetch by default. */
  readonly fetchImpl?: RequestKeysDeps["fetchImpl"];
}

/** What the node runs once it has a pool: the subscriptions, the metrics and the tokenizers. */
export interface PrefixCacheNode {
  readonly pool: EndpointPool;
  readonly registry: MetricsRegistry;
  readonly logger: Logger;
}

export interface PrefixCache {
  /** The index the scheduler reads (buildScheduler's `prefixIndex`); fed once `start` ran. */
  readonly index: PrefixIndexReader;
  /** The gateway's keys source; resolves undefined (never rejects) before `start` and on any failure. */
  readonly prefixKeys: PrefixKeysSource;
  /** Subscribes to the pool's KV events, registers the metrics and loads tokenizers. Call once. */
  start(node: PrefixCacheNode): void;
  /** Unsubscribes and stops the tokenizer workers. */
  stop(): Promise<void>;
}

interface Running {
  readonly node: PrefixCacheNode;
  readonly subscriptions: KvEventSubscriptions;
  readonly tokenizers: ModelTokenizers;
  readonly outcomes: HotCounter<"outcome">;
  readonly durations: HotHistogram<"source">;
  /** Endpoints whose KV events are followed: only their speculative entries can be confirmed or dropped. */
  followed: ReadonlySet<string>;
  readonly unfollow: () => void;
}

/**
 * The node's prefix cache, or null when `kvcache.events` is off. The request side hashes as the
 * supervisor makes engines hash (sha256_cbor, `supervisor.python_hash_seed`); an engine that hashes
 * otherwise is indexed by keys recomputed from its events' tokens (PrefixIndex's token-derived mode).
 */
export async function createPrefixCache(options: PrefixCacheOptions): Promise<PrefixCache | null> {
  const { kvcache, supervisor } = options.config;
  if (!kvcache.events) return null;
  const hasher = await createBlockHasher(ENGINE_PREFIX_HASH_ALGO, supervisor.python_hash_seed);
  const index = new PrefixIndex({ hasher, now: options.now, maxEntries: kvcache.max_index_entries });
  const cache = new PromptKeysCache();
  let running: Running | null = null;
  let renderTurn = 0;

  const reader: PrefixIndexReader = {
    matchLengths: (keys, engineIds) => index.matchLengths(keys, engineIds),
    insertSpeculative(engineId, keys, ttlMs) {
      const lifetimeMs = ttlMs ?? kvcache.speculative_ttl_ms;
      if (lifetimeMs > 0 && running?.followed.has(engineId) === true)
        index.insertSpeculative(engineId, keys, lifetimeMs);
    },
  };

  async function keysOf(run: Running, input: PrefixKeysInput): Promise<PrefixKeys | undefined> {
    const kind = input.route === "chat" ? "chat" : input.route === "completions" ? "completion" : null;
    if (kind === null) return counted(run, "unsupported_route");
    const candidates = run.node.pool.candidates(input.model);
    // Nothing can serve it: the scheduler answers without looking at keys.
    if (candidates.length === 0) return undefined;
    // No candidate publishes KV events, so the index holds nothing to match: skip the tokenizing (and
    // any render round trip); the precise producer's approximate fallback routes the request.
    if (!candidates.some((c) => run.followed.has(c.descriptor.id))) return counted(run, "no_kv_events");
    const blockSize = blockSizeOf(candidates, index);
    const digest = promptDigest(kind, input, blockSize);
    const cached = cache.get(digest.key);
    if (cached !== undefined) return counted(run, "cache_hit", cached);
    const model = run.tokenizers.of(input.model);
    // A long prompt with no worker to take it is rendered by an engine rather than block the event loop.
    const isInline = model?.worker != null || model?.canTokenizeLongInline === true;
    const tokenizer = isInline || digest.chars < DEFAULT_WORKER_MIN_CHARS ? (model?.tokenizer ?? null) : null;
    const startedMs = performance.now();
    const result = await computeRequestKeys(
      { kind, body: input.body, loraName: input.loraName },
      {
        hasher,
        blockSize,
        tokenizer,
        worker: model?.worker ?? null,
        renderBaseUrl: tokenizer === null ? renderUrl(candidates, renderTurn++) : null,
        fetchImpl: options.fetchImpl,
        timeoutMs: kvcache.keys_timeout_ms,
      },
    );
    return recorded(run, input, result, blockSize, digest.key, (performance.now() - startedMs) / 1000);
  }

  function recorded(
    run: Running,
    input: PrefixKeysInput,
    result: RequestKeysResult,
    blockSize: number,
    cacheKey: bigint,
    seconds: number,
  ): PrefixKeys | undefined {
    if (!result.isOk) {
      run.node.logger.debug(
        { requestId: input.requestId, reason: result.reason, detail: result.detail },
        "no prefix keys: routing without precise prefix data",
      );
      return counted(run, result.reason);
    }
    run.durations.observe({ source: result.value.source }, seconds);
    const { keys, promptTokens } = result.value;
    const prefixKeys: PrefixKeys = { keys, blockSizeTokens: blockSize, promptTokens };
    cache.set(cacheKey, prefixKeys);
    return counted(run, result.value.source, prefixKeys);
  }

  return {
    index: reader,
    prefixKeys: async function prefixKeysOf(input) {
      if (running === null) return undefined;
      try {
        return await keysOf(running, input);
      } catch (error) {
        running.node.logger.warn({ err: error, requestId: input.requestId }, "prefix keys failed");
        return counted(running, "error");
      }
    },
    start(node) {
      if (running !== null) throw new Error("prefix cache already started");
      const subscriptions = startKvEventSubscriptions({
        pool: node.pool,
        index,
        logger: node.logger,
        now: options.now,
      });
      registerKvCacheMetrics(node.registry, {
        subscriberStats: () => subscriptions.stats().subscribers,
        indexStats: () => index.stats(),
      });
      const run: Running = {
        node,
        subscriptions,
        tokenizers: startModelTokenizers({
          plan: options.plan,
          algo: ENGINE_PREFIX_HASH_ALGO,
          pythonHashSeed: supervisor.python_hash_seed,
          logger: node.logger,
          registry: node.registry,
        }),
        ...keysMetrics(node.registry),
        followed: followedIds(node.pool),
        unfollow: node.pool.onChange(function followKvEventEndpoints() {
          run.followed = followedIds(node.pool);
        }),
      };
      running = run;
    },
    async stop() {
      const run = running;
      if (run === null) return;
      run.unfollow();
      run.tokenizers.stop();
      await run.subscriptions.stop();
    },
  };
}

function counted(run: Running, outcome: string, keys?: PrefixKeys): PrefixKeys | undefined {
  run.outcomes.inc({ outcome });
  return keys;
}

/** The engines' block size: scraped from cache_config_info, else seen in their KV events, else vLLM's default. */
function blockSizeOf(candidates: readonly EndpointSnapshot[], index: PrefixIndex): number {
  for (const candidate of candidates) {
    const scraped = candidate.metrics?.blockSize ?? null;
    if (scraped !== null && scraped > 0) return scraped;
  }
  for (const candidate of candidates) {
    const seen = index.engineBlockSize(candidate.descriptor.id);
    if (seen !== null && seen > 0) return seen;
  }
  return DEFAULT_BLOCK_SIZE_TOKENS;
}

/** Spreads render requests over the model's engines. */
function renderUrl(candidates: readonly EndpointSnapshot[], turn: number): string | null {
  return candidates[turn % candidates.length]?.descriptor.baseUrl ?? null;
}

function followedIds(pool: EndpointPool): Set<string> {
  const ids = new Set<string>();
  for (const { descriptor } of pool.snapshot()) if (descriptor.kvEvents !== null) ids.add(descriptor.id);
  return ids;
}

function keysMetrics(registry: MetricsRegistry) {
  return {
    outcomes: new HotCounter({
      name: "llmux_kvcache_request_keys_total",
      help: "Requests' block-key computations, by outcome (tokenizer, worker, render, token-ids, cache_hit, or why none: no_kv_events, no_prompt, no_tokenizer, tokenize_failed, render_failed, timeout, unsupported_route, error).",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    durations: new HotHistogram({
      name: "llmux_kvcache_request_keys_duration_seconds",
      help: "Time to compute a request's block keys (cache misses that succeeded), by source.",
      labelNames: ["source"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
  };
}
