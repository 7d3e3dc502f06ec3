// Ground truth the oracle policy reads, which no live gateway has: every engine's true prefix cache
// (its KV events applied with no delay) plus the prefixes being computed there, its live queue, and
// the prefill work already sent to it.
import type { KvEvent, RangeBlockHasher } from "../../kvcache/index.ts";
import type { SimEngine, SimEngineOptions, SimEngineStats } from "../../sim/index.ts";
import { PrefixBlockSets, promptBlockKeys } from "./prefix-view.ts";

/** The read side, what the oracle scheduler sees. */
export interface OracleView {
  readonly engineOptions: SimEngineOptions;
  /** Engine index of an endpoint id, or -1. */
  indexOf(endpointId: string): number;
  promptTokens(requestId: string): number;
  /** Prompt tokens of the request engine `index` holds in its GPU prefix cache or is computing now. */
  cachedTokens(index: number, requestId: string): number;
  stats(index: number): SimEngineStats;
  /** Uncached prompt tokens sent to engine `index` that have not produced a first token. */
  pendingPrefillTokens(index: number): number;
  /** Context tokens (prompt + half the output) of requests in flight on engine `index`. */
  contextTokens(index: number): number;
}

interface Tracked {
  readonly tokens: readonly number[];
  readonly maxTokens: number;
  keys: bigint[] | null;
  engine: number;
  pendingPrefill: number;
}

/** The DES side: it registers requests, reports routing and progress, and feeds KV events. */
export class TrueCacheView implements OracleView {
  private readonly blocks: PrefixBlockSets;
  private readonly tracked = new Map<string, Tracked>();
  private readonly pending: number[];
  private readonly context: number[];
  private readonly indexById: ReadonlyMap<string, number>;

  constructor(
    private readonly engines: readonly SimEngine[],
    endpointIds: readonly string[],
    private readonly hasher: RangeBlockHasher,
  ) {
    this.blocks = new PrefixBlockSets(engines.length);
    this.pending = engines.map(() => 0);
    this.context = engines.map(() => 0);
    this.indexById = new Map(endpointIds.map((id, i) => [id, i]));
  }

  get engineOptions(): SimEngineOptions {
    return this.engines[0]!.options;
  }

  register(requestId: string, tokens: readonly number[], maxTokens: number): void {
    this.tracked.set(requestId, { tokens, maxTokens, keys: null, engine: -1, pendingPrefill: 0 });
  }

  routed(requestId: string, index: number): void {
    const t = this.tracked.get(requestId);
    if (t === undefined) return;
    t.engine = index;
    t.pendingPrefill = t.tokens.length - this.cachedTokens(index, requestId);
    this.pending[index]! += t.pendingPrefill;
    this.context[index]! += t.tokens.length + t.maxTokens / 2;
    this.blocks.addInFlight(index, this.keysOf(t));
  }

  firstToken(requestId: string): void {
    const t = this.tracked.get(requestId);
    if (t === undefined || t.engine < 0 || t.keys === null) return;
    this.pending[t.engine]! -= t.pendingPrefill;
    t.pendingPrefill = 0;
    // Its blocks are in the engine's cache now (its KV events say so from here on).
    this.blocks.removeInFlight(t.engine, t.keys);
    t.keys = null;
  }

  finished(requestId: string): void {
    const t = this.tracked.get(requestId);
    if (t === undefined) return;
    this.firstToken(requestId);
    if (t.engine >= 0) this.context[t.engine]! -= t.tokens.length + t.maxTokens / 2;
    this.tracked.delete(requestId);
  }

  applyEvents(index: number, events: readonly KvEvent[]): void {
    this.blocks.apply(index, events);
  }

  indexOf(endpointId: string): number {
    return this.indexById.get(endpointId) ?? -1;
  }

  promptTokens(requestId: string): number {
    return this.tracked.get(requestId)?.tokens.length ?? 0;
  }

  cachedTokens(index: number, requestId: string): number {
    const t = this.tracked.get(requestId);
    if (t === undefined) return 0;
    return this.blocks.matchedBlocks(index, this.keysOf(t)) * this.engineOptions.blockSize;
  }

  private keysOf(t: Tracked): bigint[] {
    t.keys ??= promptBlockKeys(this.hasher, t.tokens, this.engineOptions.blockSize);
    return t.keys;
  }

  stats(index: number): SimEngineStats {
    return this.engines[index]!.stats();
  }

  pendingPrefillTokens(index: number): number {
    return this.pending[index]!;
  }

  contextTokens(index: number): number {
    return this.context[index]!;
  }
}
