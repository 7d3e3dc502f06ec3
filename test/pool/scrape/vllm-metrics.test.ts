// EngineMetrics extracted from an old vLLM page, a current DP=2 page and a live sim capture, with values
// computed by hand from each fixture; plus name fallbacks, DP weighting and missing families.
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { extractVllmMetrics, parsePrometheusText, VLLM_METRIC_FAMILIES } from "../../../src/pool/index.ts";

const FIXTURES = resolve(import.meta.dir, "../../fixtures/vllm-metrics");

async function fixture(name: string): Promise<string> {
  return Bun.file(resolve(FIXTURES, name)).text();
}

function extract(text: string, scrapedAtMs = 1000) {
  return extractVllmMetrics(parsePrometheusText(text), scrapedAtMs);
}

describe("extractVllmMetrics on fixtures", () => {
  test("old vLLM: gpu_cache_usage_perc, one engine, the newest of two lora_requests_info series", async () => {
    const text = await fixture("vllm-old-gpu-cache-names.txt");
    const extraction = extract(text, 42);
    expect(extraction.missingFamilies).toEqual([]);
    expect(extraction.hasLoad).toBe(true);
    expect(extraction.metrics).toEqual({
      waitingRequests: 2,
      runningRequests: 3,
      kvUsageRatio: 0.4375,
      blockSize: 16,
      numGpuBlocks: 27910,
      // 1.74990001225e+09 beats 1.7499000005e+09 although it comes first in the page.
      runningLoras: ["sql-lora", "chat-lora"],
      waitingLoras: ["sql-lora"],
      maxLoras: 2,
      // The gpu_prefix_cache_* names of that version.
      prefixCacheQueriedTokens: 51200,
      prefixCacheHitTokens: 30720,
      scrapedAtMs: 42,
    });
  });

  test("current vLLM, DP=2: running and waiting summed, KV usage the block-weighted mean", async () => {
    const extraction = extract(await fixture("vllm-new-dp2-lora.txt"));
    expect(extraction.missingFamilies).toEqual([]);
    const { kvUsageRatio, ...rest } = extraction.metrics;
    // (0.62 * 17000 + 0.25 * 17000) / 34000
    expect(kvUsageRatio).toBeCloseTo(0.435, 12);
    expect(rest).toEqual({
      waitingRequests: 3 + 0,
      runningRequests: 5 + 7,
      blockSize: 16,
      numGpuBlocks: 17000 + 17000,
      runningLoras: ["sql-lora", "chat-lora"],
      waitingLoras: ["tool-lora"],
      maxLoras: 4,
      prefixCacheQueriedTokens: 409600 + 388096,
      prefixCacheHitTokens: 327680 + 301056,
      scrapedAtMs: 1000,
    });
  });

  test("llmux sim, DP=2 with LoRA adapter a under load", async () => {
    const extraction = extract(await fixture("llmux-sim-dp2-lora.txt"));
    expect(extraction.missingFamilies).toEqual([]);
    const { kvUsageRatio, ...rest } = extraction.metrics;
    expect(kvUsageRatio).toBeCloseTo(0.008604206500956023, 15);
    expect(rest).toEqual({
      waitingRequests: 2 + 1,
      runningRequests: 1 + 1,
      blockSize: 16,
      numGpuBlocks: 2093 + 2093,
      runningLoras: ["a"],
      waitingLoras: ["a"],
      maxLoras: 1,
      prefixCacheQueriedTokens: 5 + 5,
      prefixCacheHitTokens: 0,
      scrapedAtMs: 1000,
    });
  });

  test("parsing only VLLM_METRIC_FAMILIES gives the same metrics as a full parse", async () => {
    for (const name of ["vllm-old-gpu-cache-names.txt", "vllm-new-dp2-lora.txt", "llmux-sim-dp2-lora.txt"]) {
      const text = await fixture(name);
      const filtered = parsePrometheusText(text, { onlyFamilies: VLLM_METRIC_FAMILIES });
      expect(extractVllmMetrics(filtered, 7)).toEqual(extract(text, 7));
      expect(filtered.problemCount).toBe(0);
    }
  });
});

describe("extractVllmMetrics rules", () => {
  const load = ["vllm:num_requests_running 1", "vllm:num_requests_waiting 0"];

  test("prefers kv_cache_usage_perc when a page carries both names", () => {
    const text = [...load, "vllm:gpu_cache_usage_perc 0.9", "vllm:kv_cache_usage_perc 0.3"].join("\n");
    expect(extract(text).metrics.kvUsageRatio).toBe(0.3);
  });

  test("weights each engine's KV usage by its num_gpu_blocks", () => {
    const text = [
      ...load,
      'vllm:kv_cache_usage_perc{engine="0"} 0.5',
      'vllm:kv_cache_usage_perc{engine="1"} 0.1',
      'vllm:cache_config_info{block_size="32",num_gpu_blocks="1000",engine="0"} 1',
      'vllm:cache_config_info{block_size="32",num_gpu_blocks="3000",engine="1"} 1',
    ].join("\n");
    const { metrics } = extract(text);
    // (0.5 * 1000 + 0.1 * 3000) / 4000
    expect(metrics.kvUsageRatio).toBeCloseTo(0.2, 12);
    expect(metrics.numGpuBlocks).toBe(4000);
    expect(metrics.blockSize).toBe(32);
  });

  test("without cache_config_info, averages engines plainly and reports the family missing", () => {
    const text = [
      ...load,
      'vllm:kv_cache_usage_perc{engine="0"} 0.5',
      'vllm:kv_cache_usage_perc{engine="1"} 0.1',
    ];
    const extraction = extract(text.join("\n"));
    expect(extraction.metrics.kvUsageRatio).toBeCloseTo(0.3, 12);
    expect(extraction.metrics.blockSize).toBeNull();
    expect(extraction.metrics.numGpuBlocks).toBeNull();
    expect(extraction.missingFamilies).toEqual(["vllm:cache_config_info"]);
  });

  test("num_gpu_blocks=None leaves the block count unknown but keeps the block size", () => {
    const text = [
      ...load,
      "vllm:kv_cache_usage_perc 0",
      'vllm:cache_config_info{block_size="16",num_gpu_blocks="None"} 1',
    ];
    const { metrics } = extract(text.join("\n"));
    expect(metrics.blockSize).toBe(16);
    expect(metrics.numGpuBlocks).toBeNull();
  });

  test("missing load families become zeros with their names as reasons", () => {
    const extraction = extract('vllm:num_requests_waiting{engine="0"} 4');
    expect(extraction.hasLoad).toBe(true);
    expect(extraction.metrics.waitingRequests).toBe(4);
    expect(extraction.metrics.runningRequests).toBe(0);
    expect(extraction.metrics.kvUsageRatio).toBe(0);
    expect(extraction.missingFamilies).toEqual([
      "vllm:num_requests_running",
      "vllm:kv_cache_usage_perc | vllm:gpu_cache_usage_perc",
      "vllm:cache_config_info",
    ]);
  });

  test("a page without any vLLM family has no load and LoRA fields stay empty", () => {
    const extraction = extract("# TYPE up gauge\nup 1\n");
    expect(extraction.hasLoad).toBe(false);
    expect(extraction.metrics).toMatchObject({ runningLoras: [], waitingLoras: [], maxLoras: null });
  });

  test("ignores NaN samples and clamps KV usage to [0, 1]", () => {
    const text = [
      'vllm:num_requests_running{engine="0"} NaN',
      'vllm:num_requests_running{engine="1"} 2',
      "vllm:num_requests_waiting 0",
      "vllm:kv_cache_usage_perc 1.25",
    ];
    const { metrics } = extract(text.join("\n"));
    expect(metrics.runningRequests).toBe(2);
    expect(metrics.kvUsageRatio).toBe(1);
  });

  test("prefix-cache counters are summed over engines, and absent without being reported missing", () => {
    const text = [
      ...load,
      "vllm:kv_cache_usage_perc 0",
      'vllm:cache_config_info{block_size="16",num_gpu_blocks="100"} 1',
      'vllm:prefix_cache_queries_total{engine="0"} 64',
      'vllm:prefix_cache_queries_total{engine="1"} 32',
      'vllm:prefix_cache_hits_total{engine="0"} 16',
    ];
    const extraction = extract(text.join("\n"));
    expect(extraction.metrics.prefixCacheQueriedTokens).toBe(96);
    expect(extraction.metrics.prefixCacheHitTokens).toBe(16);
    const without = extract(text.slice(0, 4).join("\n"));
    expect(without.metrics.prefixCacheQueriedTokens).toBeUndefined();
    expect(without.metrics.prefixCacheHitTokens).toBeUndefined();
    expect(without.missingFamilies).toEqual([]);
  });

  test("empty adapter lists and a missing max_lora read as empty and null", () => {
    const text = [...load, 'vllm:lora_requests_info{running_lora_adapters="",waiting_lora_adapters=""} 5'];
    expect(extract(text.join("\n")).metrics).toMatchObject({
      runningLoras: [],
      waitingLoras: [],
      maxLoras: null,
    });
  });
});
