// Test fixture: the proxy served on a real port (so real client disconnects happen), a recording
// observer per request, fake upstreams and an SSE body reader.
import { forwardRequest } from "../../../src/gateway/proxy/forward.ts";
import type {
  PickUpstream,
  ProxyObserver,
  ProxyOutcome,
  ProxySettings,
  UpstreamTarget,
  UpstreamUsage,
} from "../../../src/gateway/proxy/types.ts";

export const TEST_SETTINGS: ProxySettings = {
  maxAttempts: 3,
  initialBackoffMs: 1,
  maxBackoffMs: 5,
  totalTimeoutMs: 30_000,
  idleTimeoutMs: 0,
  maxBufferedBytes: 64 * 1024,
};

export type ObservedEvent =
  | { readonly kind: "attempt"; readonly endpointId: string; readonly attempt: number }
  | {
      readonly kind: "attempt-failed";
      readonly endpointId: string;
      readonly reason: string;
      readonly status: number | null;
    }
  | { readonly kind: "upstream-response"; readonly endpointId: string; readonly status: number }
  | { readonly kind: "first-token" }
  | { readonly kind: "token" }
  | { readonly kind: "usage"; readonly usage: UpstreamUsage }
  | { readonly kind: "finish"; readonly outcome: ProxyOutcome };

export interface ObservedRequest {
  readonly events: ObservedEvent[];
  readonly excludedSeen: string[][];
  readonly finished: Promise<ProxyOutcome>;
  readonly observer: ProxyObserver;
}

export function recordingObserver(): ObservedRequest {
  const events: ObservedEvent[] = [];
  let resolveFinished: (outcome: ProxyOutcome) => void = () => {};
  const finished = new Promise<ProxyOutcome>((resolve) => {
    resolveFinished = resolve;
  });
  const observer: ProxyObserver = {
    onAttempt: (endpointId, attempt) => events.push({ kind: "attempt", endpointId, attempt }),
    onAttemptFailed: (endpointId, reason, status) =>
      events.push({ kind: "attempt-failed", endpointId, reason, status }),
    onUpstreamResponse: (endpointId, status) =>
      events.push({ kind: "upstream-response", endpointId, status }),
    onFirstToken: () => events.push({ kind: "first-token" }),
    onToken: () => events.push({ kind: "token" }),
    onUsage: (usage) => events.push({ kind: "usage", usage }),
    onFinish: (outcome) => {
      events.push({ kind: "finish", outcome });
      resolveFinished(outcome);
    },
  };
  return { events, excludedSeen: [], finished, observer };
}

export interface ProxyServer {
  readonly url: string;
  /** One entry per request, in arrival order. */
  readonly requests: ObservedRequest[];
  stop(): Promise<void>;
}

export interface ProxyServerOptions {
  /** Endpoints tried in order, skipping excluded ones. */
  readonly targets: readonly UpstreamTarget[];
  /** Index of the first target tried for each request (round-robin); 0 when absent. */
  readonly rotate?: () => number;
  readonly settings?: Partial<ProxySettings>;
  /** Replaces the recording observer's callbacks (merged over them). */
  readonly observer?: Partial<ProxyObserver>;
}

/** Serves forwardRequest the way the gateway does: include_usage injected for streams. */
export function startProxy(options: ProxyServerOptions): ProxyServer {
  const requests: ObservedRequest[] = [];
  const settings = { ...TEST_SETTINGS, ...options.settings };
  let nextId = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    idleTimeout: 0,
    async fetch(request) {
      if (request.method === "GET" && new URL(request.url).pathname === STATS_PATH)
        return statsResponse(requests);
      const body = (await request.json()) as Record<string, unknown>;
      const recorded = recordingObserver();
      requests.push(recorded);
      const isStreaming = body.stream === true;
      const streamOptions = (body.stream_options ?? {}) as Record<string, unknown>;
      const first = options.rotate?.() ?? 0;
      const pick: PickUpstream = (excluded) => {
        recorded.excludedSeen.push([...excluded]);
        const count = options.targets.length;
        for (let i = 0; i < count; i++) {
          const target = options.targets[(first + i) % count] as UpstreamTarget;
          if (!excluded.has(target.endpointId)) return { ok: true, target };
        }
        return { ok: false, reason: "no endpoint left" };
      };
      return forwardRequest(
        {
          clientRequest: request,
          path: new URL(request.url).pathname,
          body: isStreaming ? { ...body, stream_options: { ...streamOptions, include_usage: true } } : body,
          isStreaming,
          clientWantsUsage: streamOptions.include_usage === true,
          requestId: `req-${++nextId}`,
          upstreamHeaders: { "x-request-id": `req-${nextId}` },
          pick,
          observer: { ...recorded.observer, ...options.observer },
        },
        settings,
      );
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    async stop() {
      await server.stop(true);
    },
  };
}

/** GET path of the proxy's own figures (for a proxy running in a child process). */
export const STATS_PATH = "/__proxy_stats";

export interface ProxyStats {
  readonly rssBytes: number;
  readonly outcomes: ProxyOutcome[];
  readonly usages: (UpstreamUsage | null)[];
}

function statsResponse(requests: readonly ObservedRequest[]): Response {
  const outcomes: ProxyOutcome[] = [];
  const usages: (UpstreamUsage | null)[] = [];
  for (const recorded of requests) {
    const outcome = finishOf(recorded);
    if (outcome === undefined) continue;
    outcomes.push(outcome);
    const usage = recorded.events.find((event) => event.kind === "usage");
    usages.push(usage?.kind === "usage" ? usage.usage : null);
  }
  const stats: ProxyStats = { rssBytes: process.memoryUsage().rss, outcomes, usages };
  return Response.json(stats);
}

/** POSTs JSON to the proxy. */
export function post(url: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** The `data:` payloads of an SSE body, in order. Throws if a payload is neither JSON nor [DONE]. */
export function sseData(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const payload = line.slice(5).trim();
    out.push(payload === "[DONE]" ? "[DONE]" : JSON.parse(payload));
  }
  return out;
}

/** Reads chunks until `predicate(textSoFar)` holds; returns the text read. */
export async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  predicate: (text: string) => boolean,
  timeoutMs = 5000,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  const deadline = performance.now() + timeoutMs;
  while (!predicate(text)) {
    if (performance.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; read: ${text}`);
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

/** Polls `condition` every 5 ms; resolves with the elapsed ms, or throws after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met in ${timeoutMs} ms`);
    await Bun.sleep(5);
  }
  return performance.now() - started;
}

/** A port nothing listens on (bound, then released). */
export function deadPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

export function finishOf(recorded: ObservedRequest): ProxyOutcome | undefined {
  for (const event of recorded.events) if (event.kind === "finish") return event.outcome;
  return undefined;
}
