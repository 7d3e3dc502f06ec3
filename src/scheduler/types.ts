// Contracts of the scheduler (endpoint picker): what a request looks like to it, what it decides, and the
// plugin contracts (filters, scorers, pickers, data producers, profile handlers) of llm-d's EPP (§1.3–1.4).
import type { EndpointSnapshot } from "../pool/index.ts";

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
  readonly requestId?: string;
  /** Gateway clock (ms) at the decision. */
  readonly decidedAtMs?: number;
  /** Wall time of the whole decision, in microseconds. */
  readonly durationUs?: number;
  /** plugin name → time spent in it for this decision, in microseconds. */
  readonly timingsUs?: Readonly<Record<string, number>>;
  /** Plugins that threw during this decision (each counted; see scheduler.ts for the rule applied). */
  readonly failedPlugins?: readonly string[];
}

export type ScheduleResult =
  | {
      readonly ok: true;
      readonly endpoint: EndpointSnapshot;
      readonly explanation: DecisionExplanation;
      /** Prompt tokens the winner is estimated to hold in cache; the gateway counts only the rest in flight. */
      readonly cachedTokensEstimate?: number;
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
}

// ---- plugin contracts ----

export type PluginKind = "filter" | "scorer" | "picker" | "producer" | "profile-handler";
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

/** Chooses which profiles run and which result is primary (llm-d ProfileHandler, §1.3). */
export interface ProfileHandler extends PluginBase {
  /** Most profiles this handler can drive; the registry rejects configs with more. */
  readonly maxProfiles: number;
  /** Profiles to run next; empty when done. */
  pick(
    request: SchedulingRequest,
    profiles: readonly string[],
    results: ProfileRunResults,
  ): readonly string[];
  /** The primary profile's name, or null when the decision failed. */
  processResults(request: SchedulingRequest, results: ProfileRunResults): string | null;
}

export interface PluginOfKind {
  filter: Filter;
  scorer: Scorer;
  picker: Picker;
  producer: Producer;
  "profile-handler": ProfileHandler;
}

export type AnyPlugin = Filter | Scorer | Picker | Producer | ProfileHandler;
