// Contracts of the scheduler (endpoint picker): what a request looks like to it, what it decides, and the
// plugin contracts (filters, scorers, pickers, data producers, profile handlers) of llm-d's EPP (§1.3–1.4).
import type { EndpointSnapshot } from "../pool/index.ts";
import type { LatencyPredictorReader } from "../predictor/index.ts";

/** The facts about one request that routing may use. Read-only; never mutated by plugins. */
export interface SchedulingRequest {
  readonly requestId: string;
  /** Base model whose engines are candidates. */
  readonly model: string;
  /** LoRA adapter requested, if any. */
  readonly loraName: string | null;
  /** The API route, e.g. /v1/chat/completions. */
  readonly path: string;
  /** The validated request body (unknown fields included). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly headers: Headers;
  /** Rough prompt size in tokens (bytes / 4 until a tokenizer is wired). */
  readonly promptTokenEstimate: number;
  /**
   * vLLM block keys of the prompt, computed before scheduling (tokenizer + chat template, LoRA and
   * cache_salt extra keys); absent when they could not be computed in time.
   */
  readonly prefixKeys?: PrefixKeys;
}

/** The request's KV block keys as the engines' KV events name them. */
export interface PrefixKeys {
  readonly keys: readonly bigint[] | BigUint64Array;
  readonly blockSizeTokens: number;
  readonly promptTokens: number;
}

/** The precise prefix index as plugins may read and update it (synchronous, no I/O). */
export interface PrefixIndexReader {
  matchLengths(
    keys: readonly bigint[] | BigUint64Array,
    engineIds: readonly string[],
  ): ReadonlyMap<string, { readonly matchedBlocks: number; readonly weightedBlocks: number }>;
  insertSpeculative(engineId: string, keys: readonly bigint[] | BigUint64Array, ttlMs?: number): void;
}

/** Why an endpoint won: scores per plugin per endpoint, for `x-llmux-route` and /admin/decisions. */
export interface DecisionExplanation {
  readonly profile: string;
  readonly picker: string;
  readonly winner: string;
  /** endpoint id → plugin name → score in [0,1] (weighted total under "total"). */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Endpoints removed by filters: endpoint id → filter name. */
  readonly filteredOut: Readonly<Record<string, string>>;
  /**
   * The scorer whose weighted score put the winner furthest ahead of the best other endpoint; "" when
   * no scorer favoured it (one candidate, or a tie the picker broke). Absent without weighted scorers.
   */
  readonly decidedBy?: string;
  readonly requestId?: string;
  /** Gateway clock (ms) at the decision. */
  readonly decidedAtMs?: number;
  /** Wall time of the whole decision, in microseconds. */
  readonly durationUs?: number;
  /** plugin name → time spent in it for this decision, in microseconds. */
  readonly timingsUs?: Readonly<Record<string, number>>;
  /** Plugins that threw during this decision (each counted; see scheduler.ts for the rule applied). */
  readonly failedPlugins?: readonly string[];
  /** P/D: the prefill profile's decision, when the profile handler added a prefill leg. */
  readonly prefill?: DecisionExplanation;
}

/** What a P/D profile handler decided: serve on the decode endpoint alone, or prefill elsewhere first. */
export type PdDecision = "decode-only" | "prefill-decode";

/** The prefill leg of a disaggregated decision. */
export interface PrefillTarget {
  readonly endpoint: EndpointSnapshot;
  readonly explanation: DecisionExplanation;
  /** Prompt tokens the prefill endpoint is estimated to hold in cache. */
  readonly cachedTokensEstimate: number;
}

export type ScheduleResult =
  | {
      readonly ok: true;
      readonly endpoint: EndpointSnapshot;
      readonly explanation: DecisionExplanation;
      /** Prompt tokens the winner is estimated to hold in cache; the gateway counts only the rest in flight. */
      readonly cachedTokensEstimate?: number;
      /** Set only by a P/D profile handler (disagg-profile-handler); absent with a single profile. */
      readonly pdDecision?: PdDecision;
      /** The prefill endpoint when `pdDecision` is prefill-decode; `endpoint` is then the decode endpoint. */
      readonly prefill?: PrefillTarget;
    }
  | { readonly ok: false; readonly code: "scheduler_no_endpoints"; readonly message: string };

/** Picks one endpoint among candidates. Synchronous and free of I/O: it reads snapshots only. */
export interface Scheduler {
  schedule(request: SchedulingRequest, candidates: readonly EndpointSnapshot[]): ScheduleResult;
  /** Called by the gateway once a pick is used for an attempt, so stateful plugins learn (llm-d PreRequest). */
  onPicked?(request: SchedulingRequest, endpointId: string): void;
  /** The endpoints that exist now; plugin state about any other endpoint is dropped. */
  retainEndpoints?(liveIds: ReadonlySet<string>): void;
  /** Most recent decisions, newest first, at most `limit`. */
  recentDecisions?(limit: number): readonly DecisionExplanation[];
  /** plugin name → how often it threw since this scheduler was built (each handled by the engine's rule). */
  pluginFailures?(): ReadonlyMap<string, { readonly count: number }>;
}

// ---- plugin contracts ----

export type PluginKind = "filter" | "scorer" | "picker" | "producer" | "profile-handler" | "decider";
export type PluginStability = "alpha" | "beta" | "stable";
export type ScorerCategory = "affinity" | "distribution" | "balance";

export interface TypedName {
  readonly type: string;
  readonly name: string;
}

/**
 * A typed key into the per-decision CycleState or the snapshot. `fromSnapshot` keys are always
 * present; other keys need a producer, and `defaultProducer` is auto-added when none is configured.
 */
export interface DataKey<T> {
  readonly name: string;
  readonly fromSnapshot: boolean;
  readonly defaultProducer: string | null;
  /** Auto-added instead of `defaultProducer` when the node runs a KV-event prefix index (`deps.prefixIndex`). */
  readonly defaultProducerWithIndex?: string;
  /** Phantom field carrying the value type; never set. */
  readonly valueType?: T;
}

/** Per-decision scratch space shared by producers and plugins (llm-d CycleState). */
export interface CycleState {
  get<T>(key: DataKey<T>): T | undefined;
  set<T>(key: DataKey<T>, value: T): void;
}

/** Narrow handle every plugin factory receives. */
export interface PluginDeps {
  /** Uniform in [0,1); the only randomness a plugin may use. */
  readonly rng: () => number;
  /** Gateway clock in ms (the clock metrics' `scrapedAtMs` is stamped with). */
  readonly now: () => number;
  /** Metrics older than this count as saturated for load plugins. */
  readonly metricsStalenessMs: number;
  /** The KV-event-fed prefix index, when the node runs one. */
  readonly prefixIndex?: PrefixIndexReader;
  /** The online latency model, when the node runs one (predicted-latency-producer). */
  readonly latencyPredictor?: LatencyPredictorReader;
}

interface PluginBase {
  readonly typedName: TypedName;
  readonly consumes: readonly DataKey<unknown>[];
}

/** Optional hooks of stateful plugins; the engine calls them outside `schedule`. */
export interface StatefulHooks {
  /** The gateway used `endpointId` for `request`; `cycle` is that decision's state when still known. */
  preRequest?(request: SchedulingRequest, endpointId: string, cycle: CycleState | null): void;
  retainEndpoints?(liveIds: ReadonlySet<string>): void;
}

/** Returns an order-preserving subset of `endpoints` (the input array itself when nothing is removed). */
export interface Filter extends PluginBase, StatefulHooks {
  filter(
    request: SchedulingRequest,
    endpoints: readonly EndpointSnapshot[],
    cycle: CycleState,
  ): readonly EndpointSnapshot[];
}

/** Writes a score in [0,1] for every endpoint into `out[0..endpoints.length)`. */
export interface Scorer extends PluginBase, StatefulHooks {
  readonly category: ScorerCategory;
  score(
    request: SchedulingRequest,
    endpoints: readonly EndpointSnapshot[],
    cycle: CycleState,
    out: Float64Array,
  ): void;
}

/** Returns the index in [0, endpoints.length) of the chosen endpoint, given weighted totals. */
export interface Picker extends PluginBase {
  pick(endpoints: readonly EndpointSnapshot[], totals: Float64Array): number;
}

/** Writes data under its `produces` keys before filters run (llm-d DataProducer, §1.2 step 6). */
export interface Producer extends PluginBase, StatefulHooks {
  readonly produces: readonly DataKey<unknown>[];
  produce(request: SchedulingRequest, endpoints: readonly EndpointSnapshot[], cycle: CycleState): void;
}

/** Outcome of one profile run: the chosen endpoint, or null when the profile found none. */
export type ProfileRunResults = ReadonlyMap<string, EndpointSnapshot | null>;

/**
 * Says whether a request should get a prefill leg on another engine, given the decode endpoint already
 * chosen (llm-d's PD decider, llm-d-reference §3.1). Synchronous and pure, like every plugin.
 */
export interface PdDecider extends PluginBase {
  disaggregate(request: SchedulingRequest, decodeEndpoint: EndpointSnapshot, cycle: CycleState): boolean;
}

/** A name a plugin's parameters refer to, checked when the config loads (kind, or a profile name). */
export interface PluginReference {
  /** Parameter path inside the plugin's `parameters`, e.g. `deciders.prefill`. */
  readonly param: string;
  readonly name: string;
  readonly kind: PluginKind | "profile";
}

/** What the engine lends a profile handler during one decision. */
export interface ProfileHandlerContext {
  /**
   * Runs the decider plugin named `deciderName` (one of the handler's references). The engine times it
   * and applies its failure rule: a decider that throws counts as "no prefill leg".
   */
  decide(deciderName: string, request: SchedulingRequest, decodeEndpoint: EndpointSnapshot): boolean;
}

/** Chooses which profiles run and which result is primary (llm-d ProfileHandler, §1.3). */
export interface ProfileHandler extends PluginBase {
  /** Most profiles this handler can drive; the registry rejects configs with more. */
  readonly maxProfiles: number;
  /** Plugins and profiles named in the handler's parameters; a dangling or wrong-kind name fails the config. */
  readonly references?: readonly PluginReference[];
  /** Profiles to run next; empty when done. */
  pick(
    request: SchedulingRequest,
    profiles: readonly string[],
    results: ProfileRunResults,
    context: ProfileHandlerContext,
  ): readonly string[];
  /** The primary profile's name, or null when the decision failed. */
  processResults(request: SchedulingRequest, results: ProfileRunResults): string | null;
  /**
   * P/D handlers only: the profile whose winner runs the prefill leg, or null for decode-only. Its
   * presence marks the handler as a P/D handler (ScheduleResult.pdDecision is then always set).
   */
  prefillProfile?(request: SchedulingRequest, results: ProfileRunResults): string | null;
}

export interface PluginOfKind {
  filter: Filter;
  scorer: Scorer;
  picker: Picker;
  producer: Producer;
  "profile-handler": ProfileHandler;
  decider: PdDecider;
}

export type AnyPlugin = Filter | Scorer | Picker | Producer | ProfileHandler | PdDecider;
