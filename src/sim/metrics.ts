// The sim's /metrics: vLLM v1 metric names, types, help texts and labels (vllm-interfaces.md §3,
// vllm/v1/metrics/loggers.py), one series per DP engine, labels model_name (first served name) and engine.
import type { SimEngineStats } from "./engine/types.ts";
import { type EngineRequestStats, FINISHED_REASONS, type HistogramName } from "./metrics-recorder.ts";
import { family, type Labels, sample } from "./metrics-text.ts";

export type SleepState = "awake" | "weights_offloaded" | "discard_all";

/** What /metrics reads from one engine. */
export interface EngineMetricsSource {
  readonly rank: number;
  stats(): SimEngineStats;
  readonly requests: EngineRequestStats;
  sleepState(): SleepState;
}

export interface SimMetricsContext {
  readonly modelName: string;
  readonly engines: readonly EngineMetricsSource[];
  /** cache_config_info labels without `engine`, in print order. */
  readonly cacheConfigLabels: Labels;
  /** max_loras when --enable-lora, else null (lora_requests_info is then absent). */
  readonly maxLoras: number | null;
  /** Unix seconds, the value of lora_requests_info. */
  nowSeconds(): number;
}

type CounterKey = Exclude<
  keyof SimEngineStats,
  | "running"
  | "waiting"
  | "waitingCapacity"
  | "waitingDeferred"
  | "kvUsage"
  | "numGpuBlocks"
  | "numCpuBlocks"
  | "runningLoras"
  | "waitingLoras"
>;

const COUNTERS: readonly (readonly [string, CounterKey, string])[] = [
  [
    "vllm:prefix_cache_queries",
    "prefixCacheQueries",
    "Prefix cache queries, in terms of number of queried tokens.",
  ],
  ["vllm:prefix_cache_hits", "prefixCacheHits", "Prefix cache hits, in terms of number of cached tokens."],
  [
    "vllm:external_prefix_cache_queries",
    "externalPrefixCacheQueries",
    "External prefix cache queries from KV connector cross-instance cache sharing, in terms of number of queried tokens.",
  ],
  [
    "vllm:external_prefix_cache_hits",
    "externalPrefixCacheHits",
    "External prefix cache hits from KV connector cross-instance cache sharing, in terms of number of cached tokens.",
  ],
  ["vllm:num_preemptions", "preemptions", "Cumulative number of preemption from the engine."],
  ["vllm:prompt_tokens", "promptTokens", "Number of prefill tokens processed."],
  ["vllm:generation_tokens", "generationTokens", "Number of generation tokens processed."],
];

const HISTOGRAM_HELP: readonly (readonly [HistogramName, string])[] = [
  ["iteration_tokens_total", "Histogram of number of tokens per engine_step."],
  ["request_prompt_tokens", "Number of prefill tokens processed."],
  ["request_generation_tokens", "Number of generation tokens processed."],
  ["request_max_num_generation_tokens", "Histogram of maximum number of requested generation tokens."],
  ["request_params_n", "Histogram of the n request parameter."],
  ["request_params_max_tokens", "Histogram of the max_tokens request parameter."],
  ["time_to_first_token_seconds", "Histogram of time to first token in seconds."],
  ["inter_token_latency_seconds", "Histogram of inter-token latency in seconds."],
  ["request_time_per_output_token_seconds", "Histogram of time_per_output_token_seconds per request."],
  ["e2e_request_latency_seconds", "Histogram of e2e request latency in seconds."],
  ["request_queue_time_seconds", "Histogram of time spent in WAITING phase for request."],
  ["request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request."],
  ["request_prefill_time_seconds", "Histogram of time spent in PREFILL phase for request."],
  ["request_decode_time_seconds", "Histogram of time spent in DECODE phase for request."],
];

/** Renders the whole exposition. Called per scrape; cost is a few hundred lines per engine. */
export function renderSimMetrics(ctx: SimMetricsContext): string {
  const out: string[] = [];
  const engines = ctx.engines.map((engine) => ({
    engine,
    stats: engine.stats(),
    labels: [
      ["model_name", ctx.modelName],
      ["engine", String(engine.rank)],
    ] as Labels,
  }));
  writeGauges(out, engines);
  for (const [name, key, help] of COUNTERS) {
    family(out, `${name}_total`, "counter", help);
    for (const e of engines) out.push(sample(`${name}_total`, e.labels, e.stats[key]));
  }
  writeTokenSources(out, engines);
  writeSuccess(out, engines);
  for (const [name, help] of HISTOGRAM_HELP) {
    family(out, `vllm:${name}`, "histogram", help);
    for (const e of engines) e.engine.requests.histogram(name).write(out, `vllm:${name}`, e.labels);
  }
  writeInfo(out, ctx, engines);
  out.push("");
  return out.join("\n");
}

interface EngineRow {
  readonly engine: EngineMetricsSource;
  readonly stats: SimEngineStats;
  readonly labels: Labels;
}

function writeGauges(out: string[], engines: readonly EngineRow[]): void {
  family(out, "vllm:num_requests_running", "gauge", "Number of requests in model execution batches.");
  for (const e of engines) out.push(sample("vllm:num_requests_running", e.labels, e.stats.running));
  family(out, "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.");
  for (const e of engines) out.push(sample("vllm:num_requests_waiting", e.labels, e.stats.waiting));
  family(out, "vllm:num_requests_waiting_by_reason", "gauge", "Number of requests waiting, by reason.");
  for (const e of engines) {
    out.push(
      sample(
        "vllm:num_requests_waiting_by_reason",
        [...e.labels, ["reason", "capacity"]],
        e.stats.waitingCapacity,
      ),
    );
    out.push(
      sample(
        "vllm:num_requests_waiting_by_reason",
        [...e.labels, ["reason", "deferred"]],
        e.stats.waitingDeferred,
      ),
    );
  }
  family(out, "vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.");
  for (const e of engines) out.push(sample("vllm:kv_cache_usage_perc", e.labels, e.stats.kvUsage));
  family(out, "vllm:engine_sleep_state", "gauge", "Engine sleep state; awake = 0 means engine is sleeping.");
  for (const e of engines) {
    const state = e.engine.sleepState();
    for (const name of ["awake", "weights_offloaded", "discard_all"] as const) {
      out.push(
        sample("vllm:engine_sleep_state", [...e.labels, ["sleep_state", name]], state === name ? 1 : 0),
      );
    }
  }
}

function writeTokenSources(out: string[], engines: readonly EngineRow[]): void {
  const name = "vllm:prompt_tokens_by_source_total";
  family(out, name, "counter", "Number of prompt tokens by source.");
  for (const e of engines) {
    out.push(sample(name, [...e.labels, ["source", "local_compute"]], e.stats.promptTokensLocalCompute));
    out.push(sample(name, [...e.labels, ["source", "local_cache_hit"]], e.stats.promptTokensLocalCacheHit));
    out.push(
      sample(name, [...e.labels, ["source", "external_kv_transfer"]], e.stats.promptTokensExternalTransfer),
    );
  }
  family(
    out,
    "vllm:prompt_tokens_cached_total",
    "counter",
    "Number of cached prompt tokens (local + external).",
  );
  for (const e of engines) {
    const cached = e.stats.promptTokensLocalCacheHit + e.stats.promptTokensExternalTransfer;
    out.push(sample("vllm:prompt_tokens_cached_total", e.labels, cached));
  }
}

function writeSuccess(out: string[], engines: readonly EngineRow[]): void {
  family(out, "vllm:request_success_total", "counter", "Count of successfully processed requests.");
  for (const e of engines) {
    for (const reason of FINISHED_REASONS) {
      const count = e.engine.requests.successByReason.get(reason) ?? 0;
      out.push(sample("vllm:request_success_total", [...e.labels, ["finished_reason", reason]], count));
    }
  }
}

function writeInfo(out: string[], ctx: SimMetricsContext, engines: readonly EngineRow[]): void {
  family(out, "vllm:cache_config_info", "gauge", "Information of the LLMEngine CacheConfig");
  for (const e of engines) {
    const labels: Labels = [...ctx.cacheConfigLabels, ["engine", String(e.engine.rank)]];
    out.push(sample("vllm:cache_config_info", labels, 1));
  }
  if (ctx.maxLoras === null) return;
  const running = new Set<string>();
  const waiting = new Set<string>();
  for (const e of engines) {
    for (const name of e.stats.runningLoras) running.add(name);
    for (const name of e.stats.waitingLoras) waiting.add(name);
  }
  family(out, "vllm:lora_requests_info", "gauge", "Running stats on lora requests.");
  const labels: Labels = [
    ["max_lora", String(ctx.maxLoras)],
    ["waiting_lora_adapters", [...waiting].join(",")],
    ["running_lora_adapters", [...running].join(",")],
  ];
  out.push(sample("vllm:lora_requests_info", labels, ctx.nowSeconds()));
}
