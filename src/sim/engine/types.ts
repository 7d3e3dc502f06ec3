// Contract of the simulated vLLM engine: a pure library driven by a clock it is handed. The HTTP
// server drives it in real time; `llmux bench --simulate` drives the same code in virtual time.
import type { BlockHasher, KvEvent } from "../../kvcache/index.ts";

/** Latency and capacity preset (coefficients of engine-figures.md §8.2/§8.3). */
export interface SimProfile {
  readonly name: string;
  readonly description: string;
  /** t_o: fixed cost of every step (ms). */
  readonly stepOverheadMs: number;
  /** t_w: weight streaming per step (ms); a step costs max(t_w, g*N). */
  readonly weightStreamMs: number;
  /** g: GEMM time per scheduled token (µs). */
  readonly gemmUsPerToken: number;
  /** r: tensor-parallel all-reduce per scheduled token (µs). */
  readonly allReduceUsPerToken: number;
  /** p: attention per causal query-key pair (ns). */
  readonly attentionNsPerPair: number;
  /** k: KV read per context token of each decoding request (µs). */
  readonly kvReadUsPerToken: number;
  /** api: HTTP + tokenize + detokenize per request (ms), added before the request reaches the engine. */
  readonly apiOverheadMs: number;
  /** GPU blocks of `blockSize` tokens at gpu_memory_utilization 0.9. */
  readonly gpuBlocks: number;
  readonly kvBytesPerToken: number;
  /** Restoring an offloaded (CPU) block costs this per token (µs). */
  readonly cpuRestoreUsPerToken: number;
  /** P/D KV transfer: setup (ms) plus bytes / bandwidth. */
  readonly kvTransferSetupMs: number;
  readonly kvTransferGBps: number;
  /** Simulated model load time before /health answers (ms). */
  readonly startupDelayMs: number;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly maxModelLen: number;
}

export interface SimEngineOptions {
  readonly profile: SimProfile;
  readonly blockSize: number;
  readonly numGpuBlocks: number;
  /** CPU offload tier size in blocks (0 = off; --kv-offloading-size). */
  readonly numCpuBlocks: number;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly maxModelLen: number;
  readonly enablePrefixCaching: boolean;
  readonly schedulingPolicy: "fcfs" | "priority";
  readonly hasher: BlockHasher;
  /** KV events carry uint64 hashes (true, vLLM's default) or raw digests. */
  readonly useIntBlockHashes: boolean;
  readonly emitKvEvents: boolean;
  readonly dataParallelRank: number;
  readonly seed: number;
  /** Maps a uniform draw in [0, 1) to a generated token id (the server's vocabulary); default ids 1000..29999. */
  readonly sampleTokenId?: (random01: number) => number;
  /** What a failed remote-prefill KV load does (vLLM kv_load_failure_policy); default "fail" like vLLM. */
  readonly kvLoadFailurePolicy?: "fail" | "recompute";
}

export interface SimRequest {
  readonly id: string;
  readonly promptTokenIds: readonly number[];
  readonly maxTokens: number;
  readonly minTokens: number;
  readonly ignoreEos: boolean;
  readonly eosTokenId: number | null;
  readonly stopTokenIds: readonly number[];
  readonly loraName: string | null;
  readonly cacheSalt: string | null;
  /** Lower runs earlier (vLLM semantics); used with schedulingPolicy "priority". */
  readonly priority: number;
  readonly seed: number | null;
  /** P/D prefill side: prefill, emit one token, then hold the blocks for the remote decoder. */
  readonly remoteDecode?: boolean;
  /** P/D decode side: the prompt's KV arrives by transfer; the engine waits for transferDone(). */
  readonly remotePrefill?: boolean;
}

export type FinishReason = "stop" | "length" | "abort" | "error";

export interface SimRequestResult {
  readonly reason: FinishReason;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Prompt tokens served from the local prefix cache (GPU or CPU tier). */
  readonly cachedTokens: number;
  /** Prompt tokens whose KV arrived by P/D transfer. */
  readonly externalCachedTokens: number;
  /** Prompt tokens computed by this engine (0 for a successful remote-prefill decode). */
  readonly computedPromptTokens: number;
  /** With remoteDecode: the held GPU block ids (one list per KV group), for kv_transfer_params. */
  readonly heldBlockIds?: readonly (readonly number[])[];
  readonly error?: string;
}

export interface SimRequestCallbacks {
  /** One generated token, at engine time `timeMs`. */
  onToken(tokenId: number, timeMs: number): void;
  onFinish(result: SimRequestResult, timeMs: number): void;
  /** First time the request is scheduled (queue time ends), at the start of that step. */
  onScheduled?(timeMs: number): void;
}

/** Why a request was refused at admission (maps to vLLM's 400s). */
export type SimAdmitError =
  | { readonly kind: "prompt_too_long"; readonly promptTokens: number; readonly maxModelLen: number }
  | { readonly kind: "duplicate_id" };

/**
 * A planned step: what runs and how long it takes. Complete it with `completeStep`.
 * `scheduledTokens` 0 marks an idle wait for a pending CPU-tier KV load: nothing runs, and a driver
 * may complete it early when new work arrives, then plan again.
 */
export interface SimStep {
  readonly startMs: number;
  readonly durationMs: number;
  readonly scheduledTokens: number;
}

export interface SimEngineStats {
  readonly running: number;
  readonly waiting: number;
  /** Waiting because of capacity (KV or seq limits) vs deferred (e.g. awaiting a KV transfer). */
  readonly waitingCapacity: number;
  readonly waitingDeferred: number;
  /** Fraction 0..1 of GPU blocks in use by requests. */
  readonly kvUsage: number;
  readonly numGpuBlocks: number;
  readonly numCpuBlocks: number;
  /** Cumulative counters since start, in tokens (prefix cache) or events. */
  readonly prefixCacheQueries: number;
  readonly prefixCacheHits: number;
  readonly externalPrefixCacheQueries: number;
  readonly externalPrefixCacheHits: number;
  readonly preemptions: number;
  readonly promptTokens: number;
  readonly generationTokens: number;
  readonly promptTokensLocalCompute: number;
  readonly promptTokensLocalCacheHit: number;
  readonly promptTokensExternalTransfer: number;
  readonly runningLoras: readonly string[];
  readonly waitingLoras: readonly string[];
}

export interface SimEngine {
  readonly options: SimEngineOptions;
  /** Queues a request at engine time `nowMs`; returns an error instead of throwing for refusals. */
  add(request: SimRequest, callbacks: SimRequestCallbacks, nowMs: number): SimAdmitError | null;
  /** Aborts a request; its slot and blocks free at once; onFinish(reason "abort") fires. */
  abort(id: string, nowMs: number): void;
  /** Remote-prefill decode: the prompt's KV has arrived (ok) or failed (then policy applies). */
  transferDone(id: string, ok: boolean, nowMs: number): void;
  /** Remote-decode prefill: the decoder took (or the lease expired for) the held blocks. */
  releaseHeld(id: string, nowMs: number): void;
  /** Plans the next step at `nowMs`, or null when nothing can run. */
  planStep(nowMs: number): SimStep | null;
  /** Applies a planned step's results at its end time: tokens, finishes, block commits, events. */
  completeStep(step: SimStep): void;
  hasWork(): boolean;
  stats(): SimEngineStats;
  /** KV events produced since the last call (one batch per step in vLLM). */
  takeEvents(): KvEvent[];
  /** Drops every cached block not in use (POST /reset_prefix_cache); false if blocks are in use. */
  resetPrefixCache(): boolean;
}
