// What the gateway's routes share: config, the endpoint pool, the scheduler, auth, metrics, logger.
import type { AuthConfig, FlowConfig, GatewayConfig, PdConfig } from "../config/index.ts";
import type { Admission } from "../flow/index.ts";
import type { EndpointPool, EndpointSnapshot } from "../pool/index.ts";
import type { PrefixKeys, Scheduler, SchedulingRequest } from "../scheduler/index.ts";
import type { Logger, MetricsRegistry, Tracing } from "../telemetry/index.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { Authenticator } from "./middleware/auth.ts";
import type { GatewayStats } from "./stats.ts";

/** Per-model readiness for /ready: configured models and whether an engine can serve each. */
export interface ReadinessReport {
  readonly isReady: boolean;
  readonly models: readonly {
    readonly model: string;
    readonly readyEndpoints: number;
    readonly detail: string;
  }[];
}

/** A model name the node is configured to serve (from engines and static endpoints). */
export interface ConfiguredModel {
  readonly id: string;
  /** The base model when `id` is a LoRA adapter. */
  readonly parent: string | null;
}

/** One supervised engine as the admin API shows it (the supervisor's snapshot, structurally). */
export interface AdminInstance {
  readonly id: string;
  readonly model: string;
  readonly engine: string;
  readonly role: string;
  readonly gpus: readonly number[];
  readonly port: number;
  readonly state: string;
  readonly pid: number | null;
  readonly restarts: number;
  readonly uptimeMs: number;
  readonly lastError: string | null;
}

/** What a config reload did (SIGHUP or POST /admin/reload). */
export interface ReloadOutcome {
  readonly outcome: "applied" | "rejected";
  /** Changed settings that take effect only after a restart. */
  readonly needRestart: readonly string[];
  /** Why a rejected reload was rejected (secrets redacted); the running config is kept. */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
}

/** Node-level state the gateway can show but does not own (filled in by cli/). */
export interface NodeState {
  /** Supervised engines; empty for `llmux gateway`. */
  instances(): readonly AdminInstance[];
  /** Reloads the config file; the running config stays on any problem. */
  reload(): ReloadOutcome;
}

/** Flow control as the gateway uses it: the admission and the `flow:` settings it was built from. */
export interface FlowControl {
  /** Owned by cli/, which closes it at shutdown; the gateway admits and releases through it. */
  readonly admission: Admission;
  /** Header names, default fairness id and TTL the gateway reads per request. */
  readonly config: FlowConfig;
}

/** What the gateway asks for a request's precise-prefix block keys. */
export interface PrefixKeysInput {
  readonly requestId: string;
  /** The OpenAI route: "chat", "completions", "embeddings", "responses" or "messages". */
  readonly route: string;
  /** The request body as the client sent it. */
  readonly body: Readonly<Record<string, unknown>>;
  /** Base model and LoRA adapter the request resolved to. */
  readonly model: string;
  readonly loraName: string | null;
}

/**
 * The prompt's vLLM block keys, or undefined when they cannot be had in time (no tokenizer, timeout,
 * no prompt). Must resolve within its own bound and never reject: the request waits on it.
 */
export type PrefixKeysSource = (input: PrefixKeysInput) => Promise<PrefixKeys | undefined>;

/** One finished request with the facts its routing decision saw (the latency predictor's sample). */
export interface CompletedRequest {
  readonly scheduling: SchedulingRequest;
  /** The served endpoint as the scheduler saw it when it picked (metrics, in-flight load). */
  readonly endpoint: EndpointSnapshot;
  /** Prompt tokens the scheduler estimated that endpoint held. */
  readonly cachedTokensEstimate: number;
  readonly status: number;
  /** Time to first token from the moment the endpoint was picked, ms; null when no token came. */
  readonly ttftMs: number | null;
  /** Mean time per output token after the first, ms; null with fewer than two tokens. */
  readonly tpotMs: number | null;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly cachedTokens: number | null;
}

export interface GatewayContext {
  readonly gateway: GatewayConfig;
  readonly auth: AuthConfig;
  /** The `pd:` section (prefill timeout, retries, decode-only fallback); schema defaults when absent. */
  readonly pd?: PdConfig;
  readonly pool: EndpointPool;
  readonly scheduler: Scheduler;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  readonly registry: MetricsRegistry;
  readonly metrics: GatewayMetrics;
  readonly version: string;
  /** Gateway clock, ms. */
  readonly now: () => number;
  readonly isAccessLogOn: boolean;
  readonly readiness: () => ReadinessReport;
  /** Models the config promises, known even before any engine is ready. */
  readonly configuredModels: readonly ConfiguredModel[];
  readonly node: NodeState;
  /** True once shutdown began: new requests get 503. */
  readonly isShuttingDown: () => boolean;
  /** Live per-second request statistics for /admin/stats and the dashboard; absent, nothing is recorded. */
  readonly stats?: GatewayStats;
  /** OpenTelemetry spans per request; absent or disabled, no span is made. */
  readonly tracing?: Tracing;
  /** Block keys for precise prefix routing; absent when the node keeps no KV-event index. */
  readonly prefixKeys?: PrefixKeysSource;
  /** Called once per request that reached an engine, after it ended (any status). */
  readonly onRequestDone?: (done: CompletedRequest) => void;
  /** Admission before scheduling (priorities, fairness, shedding, rate limits); absent, requests go straight on. */
  readonly flowControl?: FlowControl;
}
