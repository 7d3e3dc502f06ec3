// Contracts of the two-leg P/D flow: what the gateway hands it (targets, the decode forwarder, pool and
// metric hooks) and what it returns. The flow itself is in two-leg.ts.

/** An engine to send a leg to. */
export interface PdTarget {
  readonly endpointId: string;
  readonly baseUrl: string;
}

/** Token counts of one leg, as the engine reported them (the gateway proxy's UpstreamUsage shape). */
export interface LegUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
}

/** What the prefill leg handed to the decode leg. */
export interface PrefillHandoff {
  /** Gateway clock (ms) when the prefill response was read. */
  readonly endedAtMs: number;
  /** The prefill engine's usage; null when it reported none. */
  readonly usage: LegUsage | null;
}

/** How one prefill attempt ended (bounded set: a metric label). */
export type PrefillAttemptOutcome = "ok" | "client_error" | "failed" | "timeout" | "aborted";

/** Why a prefill-decode decision was served decode-only (bounded set: a metric label). */
export type FallbackReason =
  | "prefill_failed"
  | "no_prefill_endpoint"
  | "no_kv_transfer_params"
  /** n > 1 or several prompts: one prefill cannot hand over several sequences. */
  | "not_disaggregable";

/** Pool bookkeeping for prefill attempts, done by the gateway (leases, circuit breakers). */
export interface PrefillHooks {
  /** An attempt starts on `target`; returns the function that releases its load lease. */
  start(target: PdTarget): () => void;
  /** The engine answered (any status below 500). */
  succeeded(endpointId: string): void;
  /** The engine failed: connect error, 5xx or timeout; `reason` is a bounded label. */
  failed(endpointId: string, reason: string): void;
  /** Every attempt, whatever its outcome, once it ended (its trace span). */
  ended?(attempt: PrefillAttemptRecord): void;
}

/** One prefill attempt as traced: where, when, and how it ended. */
export interface PrefillAttemptRecord {
  readonly endpointId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly outcome: PrefillAttemptOutcome;
  /** Gateway clock, ms. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

/** Metrics of the flow; implemented over the gateway's registry. */
export interface PdReporter {
  prefillAttempt(outcome: PrefillAttemptOutcome, durationMs: number): void;
  fallback(reason: FallbackReason): void;
}

export interface PdSettings {
  /** Per prefill attempt. */
  readonly prefillTimeoutMs: number;
  /** Further attempts on other prefill engines after a 5xx, connect error or timeout. */
  readonly prefillMaxRetries: number;
  /** After prefill fails on every try: serve on the decode engine alone (true) or fail (false). */
  readonly isFallbackToDecodeOnly: boolean;
  /** Cap on the prefill response body read into memory. */
  readonly maxPrefillResponseBytes: number;
}

export interface TwoLegRequest {
  /** /v1/chat/completions, /v1/completions or /v1/responses. */
  readonly path: string;
  /** The body the decode leg sends (the client's, with the gateway's rewrites such as include_usage). */
  readonly body: Readonly<Record<string, unknown>>;
  /** Sent on both legs; carries X-Request-Id (vLLM's base request id for both engines). */
  readonly upstreamHeaders: Readonly<Record<string, string>>;
  /** The client's request signal: aborting it cancels the prefill leg. */
  readonly clientSignal: AbortSignal;
  readonly prefill: PdTarget;
  /** Another prefill engine avoiding `excluded`, or null when none is left. */
  nextPrefill(excluded: ReadonlySet<string>): PdTarget | null;
  /**
   * Sends the decode leg through the gateway's streaming proxy (its retries, relay and accounting).
   * `handoff` is null for a decode-only fallback.
   */
  forwardDecode(body: Record<string, unknown>, handoff: PrefillHandoff | null): Promise<Response>;
  readonly hooks: PrefillHooks;
  readonly reporter: PdReporter;
  readonly settings: PdSettings;
  /** Gateway clock, ms. */
  readonly now: () => number;
}

export type TwoLegResult =
  /** The decode leg (or the decode-only fallback) went through `forwardDecode`, which reported it. */
  | { readonly kind: "forwarded"; readonly response: Response }
  /** The prefill engine refused the request (4xx): its answer goes to the client as is. */
  | {
      readonly kind: "prefill-rejected";
      readonly response: Response;
      readonly endpointId: string;
      readonly attempts: number;
    }
  /** The client left during the prefill leg, which was cancelled. */
  | { readonly kind: "client-abort"; readonly endpointId: string | null; readonly attempts: number }
  /** Prefill failed on every try and decode-only fallback is off. */
  | {
      readonly kind: "prefill-failed";
      readonly endpointId: string | null;
      readonly detail: string;
      readonly attempts: number;
    };
