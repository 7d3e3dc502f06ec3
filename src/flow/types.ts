// Contracts of flow control (llm-d §4): what admission knows about a request, what it answers, and the
// policy contracts (fairness, ordering, saturation detection, admitters) registered like scheduler plugins.
import type { EndpointSnapshot } from "../pool/index.ts";
import type { FlowErrorCode, FlowGatewayCode } from "./errors.ts";

/** Per-key limits; null = unlimited. */
export interface RateLimits {
  /** Names the bucket (the API key's name); shared by every gateway using the same store. */
  readonly key: string;
  readonly rpm: number | null;
  readonly tpm: number | null;
}

export interface RequestSlo {
  readonly ttftMs: number | null;
  readonly tpotMs: number | null;
}

/** One request asking to be admitted. Counts are non-negative. */
export interface AdmissionRequest {
  readonly requestId: string;
  /** Base model: saturation and queues are per model. */
  readonly model: string;
  /** Higher is more important; negative = sheddable (resolveFlowIdentity). */
  readonly priority: number;
  readonly fairnessId: string;
  /** Body size, counted against the queue's byte bound. */
  readonly sizeBytes: number;
  readonly promptTokens: number;
  /** Output tokens expected (max_tokens or the gateway's estimate). */
  readonly expectedOutputTokens: number;
  /** Longest wait in the queue, ms; default flow.default_ttl_ms. */
  readonly ttlMs?: number;
  /** Client went away: a queued request is removed at once. */
  readonly signal?: AbortSignal;
  readonly slo?: RequestSlo;
  readonly rateLimits?: RateLimits | null;
}

/** Actual token counts once the response is done. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** Held by an admitted request until it finishes; counts it as in flight meanwhile. */
export interface AdmissionTicket {
  /** Call exactly once when the request ends (any outcome); usage feeds TPM limits and fairness. */
  release(usage?: TokenUsage): void;
}

/** Why a request was not admitted, in the vocabulary the gateway maps to HTTP (errors.ts). */
export interface FlowRejection {
  readonly code: FlowErrorCode;
  readonly gatewayCode: FlowGatewayCode;
  /** Value of the dropped-reason header, or null when none is sent. */
  readonly dropReason: string | null;
  /** Seconds for Retry-After, or null for the gateway's default. */
  readonly retryAfterS: number | null;
  /** A client-safe sentence for the error body. */
  readonly message: string;
}

export type AdmitResult =
  | { readonly ok: true; readonly ticket: AdmissionTicket; readonly queuedMs: number }
  | { readonly ok: false; readonly rejection: FlowRejection; readonly queuedMs: number };

/** A queued request as policies see it. */
export interface QueuedItem {
  readonly request: AdmissionRequest;
  readonly enqueuedAtMs: number;
  readonly deadlineMs: number;
  /** Arrival order across the whole admission controller. */
  readonly seq: number;
}

/** One fairness flow of a band: requests of one fairness id at one priority. */
export interface FlowView {
  readonly fairnessId: string;
  readonly size: number;
  /** The item the ordering policy would dispatch next. */
  head(): QueuedItem;
}

/** What admission has let through for one model and not yet seen released. */
export interface DispatchLedgerView {
  readonly requests: number;
  /** Prompt plus expected output tokens of those requests. */
  readonly tokens: number;
}

export interface TypedName {
  readonly type: string;
  readonly name: string;
}

/** Chooses which non-empty flow of a band dispatches next; returns an index into `flows`. */
export interface FairnessPolicy {
  readonly typedName: TypedName;
  pick(flows: readonly FlowView[], nowMs: number): number;
  /** An item of `fairnessId` was dispatched. */
  onDispatch?(item: QueuedItem, nowMs: number): void;
  /** A dispatched request finished with this usage (what onDispatch charged from estimates is corrected). */
  onUsage?(request: AdmissionRequest, usage: TokenUsage, nowMs: number): void;
}

/** Order within one flow: negative when `a` dispatches before `b`. */
export interface OrderingPolicy {
  readonly typedName: TypedName;
  compare(a: QueuedItem, b: QueuedItem): number;
}

/** Pool saturation for one model: ≥ 1 means hold dispatches (and shed sheddable arrivals). */
export interface SaturationDetector {
  readonly typedName: TypedName;
  saturation(endpoints: readonly EndpointSnapshot[], ledger: DispatchLedgerView, nowMs: number): number;
}

/** Decides whether a request may enter at all, before queueing (llm-d admitter, §2.8). */
export interface Admitter {
  readonly typedName: TypedName;
  admit(request: AdmissionRequest, endpoints: readonly EndpointSnapshot[]): boolean;
}

/** Predicted latency of a request on one endpoint, or null when no prediction is available. */
export type LatencyEstimator = (
  request: AdmissionRequest,
  endpoint: EndpointSnapshot,
) => { readonly ttftMs: number; readonly tpotMs: number | null } | null;

/** Narrow handle every flow policy factory receives. */
export interface FlowPolicyDeps {
  readonly now: () => number;
  /** Latency predictions (latency-slo-admitter); absent when no predictor is wired. */
  readonly estimateLatency?: LatencyEstimator;
}
