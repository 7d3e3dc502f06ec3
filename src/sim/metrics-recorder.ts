// Per-engine request and step statistics behind vLLM's histograms and request_success counter
// (vllm/v1/metrics/loggers.py): one recorder per DP rank, fed as steps and requests finish.
import { buckets125, Histogram } from "./metrics-text.ts";

/** vLLM's FinishReason values as the request_success label prints them. */
export const FINISHED_REASONS = ["stop", "length", "abort", "error", "repetition"] as const;
export type FinishedReason = (typeof FINISHED_REASONS)[number];

// Bucket bounds copied from vllm/v1/metrics/loggers.py.
const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
  80.0, 160.0, 640.0, 2560.0,
];
const ITL_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
const REQUEST_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0,
  960.0, 1920.0, 7680.0,
];
const ITERATION_TOKEN_BUCKETS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
const N_BUCKETS = [1, 2, 5, 10, 20];

/** One finished engine request, in engine milliseconds. */
export interface FinishedRequestTiming {
  readonly reason: FinishedReason;
  readonly promptTokens: number;
  readonly generationTokens: number;
  readonly maxTokens: number;
  readonly arrivalMs: number;
  /** When the engine first scheduled it (end of queueing). */
  readonly scheduledMs: number;
  /** null when it finished without producing a token. */
  readonly firstTokenMs: number | null;
  readonly lastTokenMs: number | null;
  readonly finishMs: number;
}

export type HistogramName =
  | "time_to_first_token_seconds"
  | "inter_token_latency_seconds"
  | "request_time_per_output_token_seconds"
  | "e2e_request_latency_seconds"
  | "request_queue_time_seconds"
  | "request_inference_time_seconds"
  | "request_prefill_time_seconds"
  | "request_decode_time_seconds"
  | "request_prompt_tokens"
  | "request_generation_tokens"
  | "request_max_num_generation_tokens"
  | "request_params_max_tokens"
  | "request_params_n"
  | "iteration_tokens_total";

/** Histograms and counters of one engine (DP rank). */
export class EngineRequestStats {
  readonly histograms: ReadonlyMap<HistogramName, Histogram>;
  readonly successByReason = new Map<FinishedReason, number>(FINISHED_REASONS.map((r) => [r, 0]));

  constructor(maxModelLen: number) {
    const tokens = buckets125(maxModelLen);
    this.histograms = new Map<HistogramName, Histogram>([
      ["time_to_first_token_seconds", new Histogram(TTFT_BUCKETS)],
      ["inter_token_latency_seconds", new Histogram(ITL_BUCKETS)],
      ["request_time_per_output_token_seconds", new Histogram(ITL_BUCKETS)],
      ["e2e_request_latency_seconds", new Histogram(REQUEST_LATENCY_BUCKETS)],
      ["request_queue_time_seconds", new Histogram(REQUEST_LATENCY_BUCKETS)],
      ["request_inference_time_seconds", new Histogram(REQUEST_LATENCY_BUCKETS)],
      ["request_prefill_time_seconds", new Histogram(REQUEST_LATENCY_BUCKETS)],
      ["request_decode_time_seconds", new Histogram(REQUEST_LATENCY_BUCKETS)],
      ["request_prompt_tokens", new Histogram(tokens)],
      ["request_generation_tokens", new Histogram(tokens)],
      ["request_max_num_generation_tokens", new Histogram(tokens)],
      ["request_params_max_tokens", new Histogram(tokens)],
      ["request_params_n", new Histogram(N_BUCKETS)],
      ["iteration_tokens_total", new Histogram(ITERATION_TOKEN_BUCKETS)],
    ]);
  }

  /** One engine step scheduled `tokens` prompt + generation tokens. */
  recordStep(tokens: number): void {
    if (tokens > 0) this.histogram("iteration_tokens_total").observe(tokens);
  }

  recordFirstToken(arrivalMs: number, firstTokenMs: number): void {
    this.histogram("time_to_first_token_seconds").observe((firstTokenMs - arrivalMs) / 1000);
  }

  recordInterToken(gapMs: number): void {
    this.histogram("inter_token_latency_seconds").observe(gapMs / 1000);
  }

  /** A client request with `n` choices of at most `maxTokens` each (vLLM records these per parent request). */
  recordParams(n: number, maxTokens: number): void {
    this.histogram("request_params_n").observe(n);
    this.histogram("request_max_num_generation_tokens").observe(maxTokens);
  }

  recordFinished(t: FinishedRequestTiming): void {
    this.successByReason.set(t.reason, (this.successByReason.get(t.reason) ?? 0) + 1);
    const firstTokenMs = t.firstTokenMs ?? t.finishMs;
    const lastTokenMs = t.lastTokenMs ?? t.finishMs;
    const seconds = (ms: number) => Math.max(0, ms) / 1000;
    this.histogram("e2e_request_latency_seconds").observe(seconds(t.finishMs - t.arrivalMs));
    this.histogram("request_queue_time_seconds").observe(seconds(t.scheduledMs - t.arrivalMs));
    this.histogram("request_prefill_time_seconds").observe(seconds(firstTokenMs - t.scheduledMs));
    this.histogram("request_decode_time_seconds").observe(seconds(lastTokenMs - firstTokenMs));
    this.histogram("request_inference_time_seconds").observe(seconds(lastTokenMs - t.scheduledMs));
    this.histogram("request_prompt_tokens").observe(t.promptTokens);
    this.histogram("request_generation_tokens").observe(t.generationTokens);
    this.histogram("request_params_max_tokens").observe(t.maxTokens);
    if (t.generationTokens > 1) {
      const tpot = seconds(lastTokenMs - firstTokenMs) / (t.generationTokens - 1);
      this.histogram("request_time_per_output_token_seconds").observe(tpot);
    }
  }

  histogram(name: HistogramName): Histogram {
    return this.histograms.get(name) as Histogram;
  }
}
