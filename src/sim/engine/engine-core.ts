// Shared state of one simulated engine and the request lifecycle transitions the scheduler and the
// public API both use: preemption, token emission and stop checks, finishing, P/D and CPU-load resumes.
import { createCounters, type EngineCounters } from "./engine-stats.ts";
import { KvCacheManager } from "./kv-cache-manager.ts";
import { createRequestQueue, type RequestQueue } from "./request-queue.ts";
import { cachedPromptTokens, computedPromptTokens, numTokens, type RequestState } from "./request-state.ts";
import { defaultTokenSampler, type TokenSampler } from "./token-source.ts";
import type { FinishReason, SimEngineOptions, SimProfile, SimRequestResult, SimStep } from "./types.ts";

/** The step in flight: its public form plus what each scheduled request computes. */
export interface PlannedStep {
  readonly step: SimStep;
  readonly requests: readonly RequestState[];
  readonly tokens: readonly number[];
}

export class EngineCore {
  readonly profile: SimProfile;
  readonly blockSize: number;
  readonly kv: KvCacheManager;
  readonly waiting: RequestQueue;
  readonly running: RequestState[] = [];
  /** Requests whose KV is arriving: a P/D transfer or a CPU-tier load (vLLM WAITING_FOR_REMOTE_KVS). */
  readonly deferred = new Set<RequestState>();
  readonly held = new Map<string, RequestState>();
  readonly byId = new Map<string, RequestState>();
  readonly counters: EngineCounters = createCounters();
  /** max_model_len, clamped to what the KV pool can hold so one request always fits. */
  readonly maxModelLen: number;
  readonly sample: TokenSampler;
  pending: PlannedStep | null = null;
  private arrivals = 0;

  constructor(readonly options: SimEngineOptions) {
    this.profile = options.profile;
    this.blockSize = options.blockSize;
    this.kv = new KvCacheManager(options);
    this.waiting = createRequestQueue(options.schedulingPolicy);
    this.maxModelLen = Math.min(options.maxModelLen, this.kv.pool.usableBlocks * options.blockSize);
    this.sample = options.sampleTokenId ?? defaultTokenSampler;
  }

  nextArrivalSeq(): number {
    return this.arrivals++;
  }

  /** vLLM v1 recompute preemption: free the KV, forget progress, requeue first. */
  preempt(state: RequestState): void {
    this.kv.free(state);
    state.numComputed = 0;
    state.phase = "waiting";
    state.numPreemptions++;
    this.counters.preemptions++;
    this.waiting.pushFront(state);
  }

  /** Records the prefix lookup of a first admission (vLLM keeps preempted lookups out of the counters). */
  recordLookup(state: RequestState, gpuTokens: number, cpuTokens: number, externalTokens: number): void {
    if (state.numPreemptions > 0) return;
    const counters = this.counters;
    const queried = numTokens(state);
    if (this.kv.isCaching) {
      counters.prefixCacheQueries += queried;
      counters.prefixCacheHits += gpuTokens;
    }
    if (this.kv.cpu !== null || state.transfer !== "none") {
      counters.externalPrefixCacheQueries += queried;
      counters.externalPrefixCacheHits += cpuTokens + externalTokens;
    }
    state.gpuHitTokens = gpuTokens;
    state.cpuHitTokens = cpuTokens;
    state.externalTokens = externalTokens;
  }

  /** Samples the next token at engine time `timeMs` and finishes the request if it stops. */
  emitToken(state: RequestState, timeMs: number): void {
    if (!state.isPromptDone) this.countPrompt(state);
    const token = state.tokens.next(state.output.length);
    state.output.push(token);
    this.counters.generationTokens++;
    state.callbacks.onToken(token, timeMs);
    // The callback may have aborted the request.
    if (state.phase !== "running") return;
    const reason = this.stopReason(state, token);
    if (reason !== null) this.finish(state, reason, timeMs);
  }

  /** Ends a request; the caller has taken it out of its queue (running is compacted after a step). */
  finish(state: RequestState, reason: FinishReason, timeMs: number, error?: string): void {
    if (this.byId.get(state.request.id) === state) this.byId.delete(state.request.id);
    this.deferred.delete(state);
    let heldBlockIds: number[][] | undefined;
    // NixlConnector keeps a length-capped remote-decode prefill's blocks for the decoder to pull (§4.2).
    if (state.request.remoteDecode === true && reason === "length" && state.blockIds.length > 0) {
      heldBlockIds = [state.blockIds.slice()];
      this.holdBlocks(state);
    } else {
      this.kv.free(state);
      state.phase = "finished";
    }
    const result: SimRequestResult = {
      reason,
      promptTokens: state.promptTokenIds.length,
      completionTokens: state.output.length,
      cachedTokens: cachedPromptTokens(state),
      externalCachedTokens: state.externalTokens,
      computedPromptTokens: computedPromptTokens(state),
      ...(heldBlockIds === undefined ? {} : { heldBlockIds }),
      ...(error === undefined ? {} : { error }),
    };
    state.callbacks.onFinish(result, timeMs);
  }

  /** A remote-prefill transfer ended (state.transfer is "ok" or "failed") while the request is deferred. */
  applyTransfer(state: RequestState, nowMs: number): void {
    if (state.transfer === "ok") {
      // vLLM caches the received blocks and recomputes the last prompt token to sample from
      // (scheduler._update_waiting_for_remote_kv).
      const received = state.promptTokenIds.length - 1;
      this.kv.commitFullBlocks(state, received);
      state.numComputed = received;
    } else if ((this.options.kvLoadFailurePolicy ?? "fail") === "recompute") {
      state.externalTokens = 0;
    } else {
      state.transfer = "applied";
      this.finish(state, "error", nowMs, "KV transfer from the prefill instance failed");
      return;
    }
    state.transfer = "applied";
    this.resume(state);
  }

  /** A CPU-tier load finished: the restored blocks join the GPU prefix cache. */
  completeLoad(state: RequestState): void {
    state.numComputed += state.loadTokens;
    state.loadTokens = 0;
    this.kv.commitFullBlocks(state, state.numComputed);
    this.resume(state);
  }

  private resume(state: RequestState): void {
    this.deferred.delete(state);
    state.phase = "waiting";
    this.waiting.pushFront(state);
  }

  private holdBlocks(state: RequestState): void {
    const previous = this.held.get(state.request.id);
    if (previous !== undefined) this.kv.free(previous);
    state.phase = "held";
    this.held.set(state.request.id, state);
  }

  private countPrompt(state: RequestState): void {
    state.isPromptDone = true;
    const counters = this.counters;
    counters.promptTokens += state.promptTokenIds.length;
    counters.promptTokensLocalCompute += computedPromptTokens(state);
    counters.promptTokensLocalCacheHit += state.gpuHitTokens;
    // The CPU tier is a KV connector in vLLM, so its hits count as external transfers.
    counters.promptTokensExternalTransfer += state.cpuHitTokens + state.externalTokens;
  }

  /** vLLM check_stop order: length caps, then min_tokens, then EOS, then stop token ids. */
  private stopReason(state: RequestState, token: number): FinishReason | null {
    if (numTokens(state) >= this.maxModelLen || state.output.length >= state.outputLimit) return "length";
    const request = state.request;
    if (state.output.length < request.minTokens) return null;
    if (!request.ignoreEos && token === request.eosTokenId) return "stop";
    return request.stopTokenIds.includes(token) ? "stop" : null;
  }
}
