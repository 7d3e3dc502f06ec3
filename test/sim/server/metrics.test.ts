import { describe, expect, test } from "bun:test";
import type { SimEngineStats } from "../../../src/sim/engine/types.ts";
import { renderSimMetrics } from "../../../src/sim/metrics.ts";
import { EngineRequestStats } from "../../../src/sim/metrics-recorder.ts";
import { buckets125, formatNumber, Histogram } from "../../../src/sim/metrics-text.ts";

const STATS: SimEngineStats = {
  running: 2,
  waiting: 3,
  waitingCapacity: 2,
  waitingDeferred: 1,
  kvUsage: 0.5,
  numGpuBlocks: 100,
  numCpuBlocks: 0,
  prefixCacheQueries: 64,
  prefixCacheHits: 32,
  externalPrefixCacheQueries: 0,
  externalPrefixCacheHits: 0,
  preemptions: 1,
  promptTokens: 64,
  generationTokens: 10,
  promptTokensLocalCompute: 32,
  promptTokensLocalCacheHit: 32,
  promptTokensExternalTransfer: 0,
  runningLoras: ["b", "a"],
  waitingLoras: [],
};

function render(maxLoras: number | null = null): string {
  const requests = new EngineRequestStats(1000);
  requests.recordFirstToken(0, 30);
  requests.recordFinished({
    reason: "length",
    promptTokens: 64,
    generationTokens: 10,
    maxTokens: 10,
    arrivalMs: 0,
    scheduledMs: 5,
    firstTokenMs: 30,
    lastTokenMs: 120,
    finishMs: 120,
  });
  return renderSimMetrics({
    modelName: "m",
    engines: [0, 1].map((rank) => ({
      rank,
      requests,
      stats: () => STATS,
      sleepState: () => "awake" as const,
    })),
    cacheConfigLabels: [["block_size", "16"]],
    maxLoras,
    nowSeconds: () => 1700000000,
  });
}

describe("Prometheus text primitives", () => {
  test("formats numbers as Python's float repr", () => {
    expect(formatNumber(1)).toBe("1.0");
    expect(formatNumber(0.25)).toBe("0.25");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("+Inf");
  });

  test("builds vLLM's 1-2-5 buckets up to the maximum", () => {
    expect(buckets125(100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(buckets125(4096)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]);
  });

  test("histograms write cumulative buckets, +Inf, sum and count", () => {
    const histogram = new Histogram([1, 5]);
    for (const value of [0.5, 3, 3, 9]) histogram.observe(value);
    const out: string[] = [];
    histogram.write(out, "h", [["engine", "0"]]);
    expect(out).toEqual([
      'h_bucket{engine="0",le="1.0"} 1.0',
      'h_bucket{engine="0",le="5.0"} 3.0',
      'h_bucket{engine="0",le="+Inf"} 4.0',
      'h_sum{engine="0"} 15.5',
      'h_count{engine="0"} 4.0',
    ]);
  });
});

describe("renderSimMetrics", () => {
  test("declares each family once, before its samples", () => {
    const lines = render().split("\n");
    const declared = lines.filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2] ?? "");
    expect(new Set(declared).size).toBe(declared.length);
    const seen = new Set<string>();
    for (const line of lines) {
      if (line.startsWith("# TYPE ")) seen.add(line.split(" ")[2] ?? "");
      if (line === "" || line.startsWith("#")) continue;
      const name = line.slice(0, line.search(/[{ ]/));
      const family = name.replace(/_(bucket|sum|count)$/, "");
      expect(seen.has(name) || seen.has(family)).toBe(true);
    }
  });

  test("labels every series with model_name and engine", () => {
    const text = render();
    expect(text).toContain('vllm:num_requests_waiting{model_name="m",engine="1"} 3.0');
    expect(text).toContain(
      'vllm:num_requests_waiting_by_reason{model_name="m",engine="0",reason="deferred"} 1.0',
    );
    expect(text).toContain('vllm:prefix_cache_hits_total{model_name="m",engine="0"} 32.0');
    expect(text).toContain(
      'vllm:prompt_tokens_by_source_total{model_name="m",engine="0",source="local_cache_hit"} 32.0',
    );
    expect(text).toContain('vllm:prompt_tokens_cached_total{model_name="m",engine="0"} 32.0');
    expect(text).toContain(
      'vllm:request_success_total{model_name="m",engine="0",finished_reason="length"} 1.0',
    );
    expect(text).toContain('vllm:request_queue_time_seconds_sum{model_name="m",engine="0"} 0.005');
    expect(text).toContain('vllm:cache_config_info{block_size="16",engine="1"} 1.0');
  });

  test("lora_requests_info appears only with LoRA, valued at the current unix time", () => {
    expect(render()).not.toContain("lora_requests_info");
    expect(render(4)).toContain(
      'vllm:lora_requests_info{max_lora="4",waiting_lora_adapters="",running_lora_adapters="b,a"} 1700000000.0',
    );
  });
});
