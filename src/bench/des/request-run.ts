// One request's life in the DES: the callbacks the engine calls with virtual times, the gateway's
// in-flight lease, and the record it leaves, in the same shape the real-time load generator writes.
import type { SimRequest, SimRequestCallbacks, SimRequestResult } from "../../sim/index.ts";
import type { LatencyHistogram } from "../metrics/latency-histogram.ts";
import type { RequestRecord, WorkloadRequest } from "../types.ts";
import type { DesLease } from "./gateway-view.ts";
import type { LatencyPick } from "./latency-learning.ts";

export interface RequestRunHooks {
  /** First token seen by the gateway (prefill in-flight released). */
  onFirstToken(run: RequestRun): void;
  /** The engine finished the request (any reason) at `timeMs`. */
  onDone(run: RequestRun, timeMs: number): void;
}

export class RequestRun implements SimRequestCallbacks {
  sentMs = 0;
  endpoint = "";
  engineIndex = -1;
  lease: DesLease | null = null;
  /** The pick as the latency predictor's sample needs it; null when the run trains no predictor. */
  latencyPick: LatencyPick | null = null;
  private firstTokenMs: number | null = null;
  private lastTokenMs = 0;
  private itlSumMs = 0;
  private itlCount = 0;
  record: RequestRecord | null = null;

  constructor(
    readonly id: string,
    readonly request: WorkloadRequest,
    readonly arrivalMs: number,
    private readonly itl: LatencyHistogram,
    private readonly hooks: RequestRunHooks,
  ) {}

  toSimRequest(promptTokenIds: readonly number[]): SimRequest {
    return {
      id: this.id,
      promptTokenIds,
      maxTokens: this.request.maxTokens,
      minTokens: 0,
      // Benchmarks generate exactly max_tokens, as inference-perf's `ignore_eos: true`.
      ignoreEos: true,
      eosTokenId: null,
      stopTokenIds: [],
      loraName: null,
      cacheSalt: null,
      priority: this.request.tags.priority ?? 0,
      seed: null,
    };
  }

  onToken(_tokenId: number, timeMs: number): void {
    if (this.firstTokenMs === null) {
      this.firstTokenMs = timeMs;
      this.lease?.firstToken();
      this.hooks.onFirstToken(this);
    } else {
      const gapMs = timeMs - this.lastTokenMs;
      this.itlSumMs += gapMs;
      this.itlCount++;
      this.itl.record(gapMs);
    }
    this.lastTokenMs = timeMs;
  }

  onFinish(result: SimRequestResult, timeMs: number): void {
    const isError = result.reason === "error" || result.reason === "abort";
    this.finish(
      timeMs,
      result.completionTokens,
      result.cachedTokens,
      isError ? (result.error ?? result.reason) : null,
    );
  }

  /** Ends the request without the engine (a refusal or no endpoint). */
  fail(timeMs: number, error: string): void {
    this.finish(timeMs, 0, 0, error);
  }

  private finish(timeMs: number, completionTokens: number, cachedTokens: number, error: string | null): void {
    this.lease?.release();
    this.lease = null;
    const r = this.request;
    this.record = {
      index: r.index,
      stage: r.stage,
      tags: r.tags,
      arrivalMs: this.arrivalMs,
      sentMs: this.sentMs,
      firstTokenMs: this.firstTokenMs,
      endMs: timeMs,
      promptTokens: r.promptTokens,
      completionTokens,
      cachedTokens,
      itlSumMs: this.itlSumMs,
      itlCount: this.itlCount,
      endpoint: this.endpoint,
      error,
    };
    this.hooks.onDone(this, timeMs);
  }
}
