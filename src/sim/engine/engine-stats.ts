// Cumulative counters of the simulated engine and the stats snapshot that feeds vLLM's metrics
// (vllm-interfaces §3: prefix-cache and external queries/hits in tokens, prompt tokens by source).
import type { KvCacheManager } from "./kv-cache-manager.ts";
import type { RequestQueue } from "./request-queue.ts";
import type { RequestState } from "./request-state.ts";
import type { SimEngineStats } from "./types.ts";

export interface EngineCounters {
  prefixCacheQueries: number;
  prefixCacheHits: number;
  externalPrefixCacheQueries: number;
  externalPrefixCacheHits: number;
  preemptions: number;
  promptTokens: number;
  generationTokens: number;
  promptTokensLocalCompute: number;
  promptTokensLocalCacheHit: number;
  promptTokensExternalTransfer: number;
}

export function createCounters(): EngineCounters {
  return {
    prefixCacheQueries: 0,
    prefixCacheHits: 0,
    externalPrefixCacheQueries: 0,
    externalPrefixCacheHits: 0,
    preemptions: 0,
    promptTokens: 0,
    generationTokens: 0,
    promptTokensLocalCompute: 0,
    promptTokensLocalCacheHit: 0,
    promptTokensExternalTransfer: 0,
  };
}

/** What the snapshot reads from the engine. */
export interface StatsView {
  readonly counters: EngineCounters;
  readonly kv: KvCacheManager;
  readonly running: readonly RequestState[];
  readonly waiting: RequestQueue;
  readonly deferred: ReadonlySet<RequestState>;
  readonly numGpuBlocks: number;
  readonly numCpuBlocks: number;
}

export function snapshotStats(view: StatsView): SimEngineStats {
  const waitingCapacity = view.waiting.size;
  const waitingDeferred = view.deferred.size;
  return {
    ...view.counters,
    running: view.running.length,
    waiting: waitingCapacity + waitingDeferred,
    waitingCapacity,
    waitingDeferred,
    kvUsage: view.kv.usage,
    numGpuBlocks: view.numGpuBlocks,
    numCpuBlocks: view.numCpuBlocks,
    runningLoras: loraNames(view.running),
    waitingLoras: loraNames([...view.waiting.values(), ...view.deferred]),
  };
}

/** Distinct adapter names, sorted (vLLM joins them into the lora_requests_info label). */
function loraNames(states: Iterable<RequestState>): string[] {
  const names = new Set<string>();
  for (const state of states) {
    const name = state.request.loraName;
    if (name !== null) names.add(name);
  }
  return [...names].sort();
}
