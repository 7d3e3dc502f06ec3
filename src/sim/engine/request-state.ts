// The engine's mutable record of one request: tokens, KV blocks, phase and accounting.
import type { BlockExtraKey } from "../../kvcache/index.ts";
import { requestExtraKeys } from "./block-hashes.ts";
import { type TokenSampler, TokenSource } from "./token-source.ts";
import type { SimRequest, SimRequestCallbacks } from "./types.ts";

/**
 * waiting: queued for capacity; running: in the batch; deferred: waiting for a KV transfer or a CPU
 * load; held: finished remote-decode prefill whose blocks wait for the decoder; finished: gone.
 */
export type RequestPhase = "waiting" | "running" | "deferred" | "held" | "finished";

/** Remote-prefill transfer progress; "none" for ordinary requests. */
export type TransferState = "none" | "awaiting" | "ok" | "failed" | "applied";

export interface RequestState {
  readonly request: SimRequest;
  readonly callbacks: SimRequestCallbacks;
  /** Arrival order, the FCFS and priority tie-breaker. */
  readonly arrivalSeq: number;
  readonly promptTokenIds: readonly number[];
  readonly output: number[];
  /** Output tokens allowed before "length" (1 for a remote-decode prefill). */
  readonly outputLimit: number;
  readonly tokens: TokenSource;
  readonly hashes: Uint8Array[];
  readonly hashKeys: string[];
  readonly firstExtraKeys: readonly BlockExtraKey[] | null;
  readonly restExtraKeys: readonly BlockExtraKey[] | null;
  phase: RequestPhase;
  /** Tokens whose KV exists (vLLM num_computed_tokens). */
  numComputed: number;
  /** Physical GPU blocks, in token order. */
  blockIds: number[];
  /** Leading blocks already committed to the prefix cache. */
  numCommitted: number;
  numPreemptions: number;
  isScheduled: boolean;
  isPromptDone: boolean;
  /** Prompt tokens found in the GPU prefix cache / the CPU tier / received by P/D transfer, at first admission. */
  gpuHitTokens: number;
  cpuHitTokens: number;
  externalTokens: number;
  transfer: TransferState;
  /** CPU-tier load in flight: tokens restored and the engine time they are ready. */
  loadTokens: number;
  loadReadyMs: number;
}

export interface RequestStateInputs {
  readonly request: SimRequest;
  readonly callbacks: SimRequestCallbacks;
  readonly arrivalSeq: number;
  readonly engineSeed: number;
  readonly maxModelLen: number;
  readonly sample: TokenSampler;
}

export function createRequestState(inputs: RequestStateInputs): RequestState {
  const { request } = inputs;
  const promptLength = request.promptTokenIds.length;
  const modelRoom = inputs.maxModelLen - promptLength;
  const outputLimit = request.remoteDecode === true ? 1 : Math.max(1, Math.min(request.maxTokens, modelRoom));
  const extra = requestExtraKeys(request.loraName, request.cacheSalt);
  return {
    request,
    callbacks: inputs.callbacks,
    arrivalSeq: inputs.arrivalSeq,
    promptTokenIds: request.promptTokenIds,
    output: [],
    outputLimit,
    tokens: new TokenSource(request, inputs.engineSeed, outputLimit, inputs.sample),
    hashes: [],
    hashKeys: [],
    firstExtraKeys: extra.first,
    restExtraKeys: extra.rest,
    phase: "waiting",
    numComputed: 0,
    blockIds: [],
    numCommitted: 0,
    numPreemptions: 0,
    isScheduled: false,
    isPromptDone: false,
    gpuHitTokens: 0,
    cpuHitTokens: 0,
    externalTokens: 0,
    transfer: request.remotePrefill === true ? "awaiting" : "none",
    loadTokens: 0,
    loadReadyMs: 0,
  };
}

/** Prompt plus generated tokens (vLLM num_tokens). */
export function numTokens(state: RequestState): number {
  return state.promptTokenIds.length + state.output.length;
}

/** True while the request still has prompt (or recomputed) tokens to prefill. */
export function isPrefilling(state: RequestState): boolean {
  return numTokens(state) - state.numComputed > 1 || state.output.length === 0;
}

/** Prompt tokens served from the local prefix cache, GPU or CPU tier. */
export function cachedPromptTokens(state: RequestState): number {
  return state.gpuHitTokens + state.cpuHitTokens;
}

/** Prompt tokens this engine computed on first admission. */
export function computedPromptTokens(state: RequestState): number {
  return Math.max(0, state.promptTokenIds.length - cachedPromptTokens(state) - state.externalTokens);
}
