// Contract of the streaming proxy: one client request forwarded to an engine, with retries
// before the first byte, usage accounting and latency measurement.

/** The endpoint chosen for one attempt. */
export interface UpstreamTarget {
  readonly endpointId: string;
  readonly baseUrl: string;
}

/** Picks the endpoint for an attempt; `excluded` holds endpoints that already failed this request. */
export type PickUpstream = (
  excluded: ReadonlySet<string>,
) => { readonly ok: true; readonly target: UpstreamTarget } | { readonly ok: false; readonly reason: string };

/** Token usage as the engine reported it (OpenAI shape). */
export interface UpstreamUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
}

/** What the proxy reports about a request; all callbacks are synchronous and must not throw. */
export interface ProxyObserver {
  /** An attempt starts on `endpointId` (attempt 1, 2, ...). */
  onAttempt?(endpointId: string, attempt: number): void;
  /** An attempt ended before a response was relayed: connect failure, timeout or a retryable status. */
  onAttemptFailed?(endpointId: string, reason: string, status: number | null): void;
  /** The upstream answered and the response is being relayed (the circuit breaker records success). */
  onUpstreamResponse?(endpointId: string, status: number): void;
  /** First content token relayed (streaming) or response complete (non-streaming); gateway clock ms. */
  onFirstToken?(atMs: number): void;
  /** Each later content chunk (for inter-token latency). */
  onToken?(atMs: number): void;
  onUsage?(usage: UpstreamUsage): void;
  /** The request is over: relayed fully, failed, or aborted by the client. */
  onFinish?(outcome: ProxyOutcome): void;
  /** Another callback threw (an observer bug); the proxy carried on. Without this hook it goes to stderr. */
  onCallbackError?(callback: string, error: unknown): void;
}

export interface ProxyOutcome {
  /** HTTP status sent to the client (a mid-stream failure keeps the 200 already sent). */
  readonly status: number;
  readonly endpointId: string | null;
  readonly attempts: number;
  readonly isClientAbort: boolean;
  /** Set when the request failed: a catalogued gateway error code. */
  readonly errorCode: string | null;
  /** Why it failed, for logs only (never sent to clients): e.g. "http_503", "ECONNRESET", "idle timeout". */
  readonly errorDetail?: string;
  /** Streaming: content chunks relayed (one per token at vLLM's stream_interval 1), usage or not. */
  readonly contentChunks?: number;
}

export interface ForwardRequest {
  /** The client's request (its signal aborts the upstream request). */
  readonly clientRequest: Request;
  /** Upstream path, e.g. /v1/chat/completions. */
  readonly path: string;
  /** The body to send upstream (already validated and rewritten, e.g. include_usage injected). */
  readonly body: Record<string, unknown>;
  readonly isStreaming: boolean;
  /** false: drop the usage-only chunk the gateway injected via stream_options.include_usage. */
  readonly clientWantsUsage: boolean;
  readonly requestId: string;
  /** Extra headers sent upstream (X-Request-Id, traceparent, Authorization for the engine). */
  readonly upstreamHeaders: Readonly<Record<string, string>>;
  readonly pick: PickUpstream;
  readonly observer: ProxyObserver;
}

export interface ProxySettings {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Whole request, streaming included. */
  readonly totalTimeoutMs: number;
  /** No upstream bytes for this long aborts the request (0 = never). */
  readonly idleTimeoutMs: number;
  /** Most bytes buffered toward a slow client before upstream reading pauses. */
  readonly maxBufferedBytes: number;
  /** Cap on a non-streaming response body read into memory (default 64 MiB); larger → 502. */
  readonly maxResponseBytes?: number;
}
