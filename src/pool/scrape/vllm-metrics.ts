// Extracts EngineMetrics from a parsed vLLM /metrics page: current names first, older names as
// fallbacks (vllm-interfaces.md §3), aggregated over the data-parallel `engine` label.
import type { EngineMetrics } from "../types.ts";
import type { MetricFamily, MetricSample, ParsedExposition } from "./prometheus-exposition.ts";
import { labelValue } from "./prometheus-text.ts";

const RUNNING = "vllm:num_requests_running";
const WAITING = "vllm:num_requests_waiting";
// kv_cache_usage_perc since vLLM PR #18354 (2025-06); gpu_cache_usage_perc removed by PR #29330 (2025-11).
const KV_USAGE = ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"] as const;
// The gpu_ prefix was dropped by vLLM PR #18354 (2025-06), with the KV usage rename.
const PREFIX_QUERIES = ["vllm:prefix_cache_queries_total", "vllm:gpu_prefix_cache_queries_total"] as const;
const PREFIX_HITS = ["vllm:prefix_cache_hits_total", "vllm:gpu_prefix_cache_hits_total"] as const;
const LORA_INFO = "vllm:lora_requests_info";
const CACHE_CONFIG = "vllm:cache_config_info";
/** Label of the series without an `engine` label (vLLM before data-parallel metrics). */
const NO_ENGINE = "";

/** Every family the extractor reads; pass it to the parser as `onlyFamilies`. */
export const VLLM_METRIC_FAMILIES: ReadonlySet<string> = new Set([
  RUNNING,
  WAITING,
  ...KV_USAGE,
  ...PREFIX_QUERIES,
  ...PREFIX_HITS,
  LORA_INFO,
  CACHE_CONFIG,
]);

export interface VllmExtraction {
  readonly metrics: EngineMetrics;
  /** Families that were absent, so their fields hold 0 or null; empty when the page was complete. */
  readonly missingFamilies: readonly string[];
  /** False when none of the load families (running, waiting, KV usage) was present: not a vLLM page. */
  readonly hasLoad: boolean;
}

/**
 * Reads one engine's load from `parsed`. Never throws; `scrapedAtMs` is the gateway clock when the
 * page was read. `vllm:lora_requests_info` is absent without `--enable-lora`, which is not reported.
 */
export function extractVllmMetrics(parsed: ParsedExposition, scrapedAtMs: number): VllmExtraction {
  const missingFamilies: string[] = [];
  const running = samplesOf(parsed, RUNNING);
  const waiting = samplesOf(parsed, WAITING);
  const kvSamples = firstPresent(parsed, KV_USAGE);
  if (running.length === 0) missingFamilies.push(RUNNING);
  if (waiting.length === 0) missingFamilies.push(WAITING);
  if (kvSamples.length === 0) missingFamilies.push(KV_USAGE.join(" | "));
  const cache = readCacheConfig(samplesOf(parsed, CACHE_CONFIG));
  if (cache === null) missingFamilies.push(CACHE_CONFIG);
  const lora = readLoraInfo(samplesOf(parsed, LORA_INFO));
  // Optional families: an engine without them routes the same, so they are not reported missing.
  const prefixQueries = firstPresent(parsed, PREFIX_QUERIES);
  const prefixHits = firstPresent(parsed, PREFIX_HITS);
  return {
    metrics: {
      waitingRequests: sumOf(waiting),
      runningRequests: sumOf(running),
      kvUsageRatio: kvUsageRatio(kvSamples, cache?.blocksByEngine ?? null),
      blockSize: cache?.blockSize ?? null,
      numGpuBlocks: cache?.numGpuBlocks ?? null,
      runningLoras: lora.running,
      waitingLoras: lora.waiting,
      maxLoras: lora.maxLoras,
      ...(prefixQueries.length === 0 ? {} : { prefixCacheQueriedTokens: sumOf(prefixQueries) }),
      ...(prefixHits.length === 0 ? {} : { prefixCacheHitTokens: sumOf(prefixHits) }),
      scrapedAtMs,
    },
    missingFamilies,
    hasLoad: running.length > 0 || waiting.length > 0 || kvSamples.length > 0,
  };
}

/** The family's own samples (not `_created` and other suffixed ones) with a finite value. */
function samplesOf(parsed: ParsedExposition, name: string): MetricSample[] {
  const family: MetricFamily | undefined = parsed.families.get(name);
  if (family === undefined) return [];
  return family.samples.filter((sample) => sample.name === name && Number.isFinite(sample.value));
}

/** The samples of the first of `names` that has any: a current name before its older spelling. */
function firstPresent(parsed: ParsedExposition, names: readonly string[]): MetricSample[] {
  for (const name of names) {
    const samples = samplesOf(parsed, name);
    if (samples.length > 0) return samples;
  }
  return [];
}

/** Running and waiting add up across DP engines: one API server fronts them all (§3). */
function sumOf(samples: readonly MetricSample[]): number {
  let sum = 0;
  for (const sample of samples) sum += sample.value;
  return sum;
}

/**
 * The endpoint's KV usage as the share of all its KV blocks in use: the per-engine ratios averaged,
 * weighted by each engine's num_gpu_blocks when every engine's count is known. The mean, not the max:
 * vLLM's DP coordinator sends a new request to its least-loaded engine, so one full rank does not make
 * the endpoint full, and the scheduler compares endpoints of different DP sizes on the same scale.
 * Clamped to [0, 1] because the scheduler's thresholds assume a ratio.
 */
function kvUsageRatio(
  samples: readonly MetricSample[],
  blocksByEngine: ReadonlyMap<string, number> | null,
): number {
  if (samples.length === 0) return 0;
  let weighted = 0;
  let totalWeight = 0;
  let plain = 0;
  let isWeighted = blocksByEngine !== null;
  for (const sample of samples) {
    plain += sample.value;
    const blocks = blocksByEngine?.get(labelValue(sample, "engine") ?? NO_ENGINE);
    if (blocks === undefined || blocks <= 0) isWeighted = false;
    else {
      weighted += sample.value * blocks;
      totalWeight += blocks;
    }
  }
  const ratio = isWeighted ? weighted / totalWeight : plain / samples.length;
  return Math.min(1, Math.max(0, ratio));
}

interface CacheConfig {
  readonly blockSize: number | null;
  /** Sum over engines; null when any engine's count is unknown ("None" before profiling). */
  readonly numGpuBlocks: number | null;
  readonly blocksByEngine: ReadonlyMap<string, number>;
}

/** cache_config_info: one series per engine, every CacheConfig attribute a label (§3). */
function readCacheConfig(samples: readonly MetricSample[]): CacheConfig | null {
  if (samples.length === 0) return null;
  let blockSize: number | null = null;
  let isComplete = true;
  const blocksByEngine = new Map<string, number>();
  for (const sample of samples) {
    blockSize ??= toCount(labelValue(sample, "block_size"));
    const blocks = toCount(labelValue(sample, "num_gpu_blocks"));
    if (blocks === null) isComplete = false;
    else blocksByEngine.set(labelValue(sample, "engine") ?? NO_ENGINE, blocks);
  }
  let numGpuBlocks = 0;
  for (const blocks of blocksByEngine.values()) numGpuBlocks += blocks;
  return { blockSize, numGpuBlocks: isComplete ? numGpuBlocks : null, blocksByEngine };
}

interface LoraInfo {
  readonly running: readonly string[];
  readonly waiting: readonly string[];
  readonly maxLoras: number | null;
}

const NO_LORA: LoraInfo = { running: [], waiting: [], maxLoras: null };

/**
 * lora_requests_info keeps one series per label set it ever had; the value is the unix time of its last
 * update, so the series with the largest value is the current one (llm-d does the same, §1.6).
 */
function readLoraInfo(samples: readonly MetricSample[]): LoraInfo {
  let latest: MetricSample | null = null;
  for (const sample of samples) if (latest === null || sample.value >= latest.value) latest = sample;
  if (latest === null) return NO_LORA;
  return {
    running: splitAdapters(labelValue(latest, "running_lora_adapters")),
    waiting: splitAdapters(labelValue(latest, "waiting_lora_adapters")),
    maxLoras: toCount(labelValue(latest, "max_lora")),
  };
}

function splitAdapters(joined: string | undefined): string[] {
  if (joined === undefined || joined === "") return [];
  return joined
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

/** A non-negative integer label such as "2093"; null for "None", empty or anything else. */
function toCount(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
