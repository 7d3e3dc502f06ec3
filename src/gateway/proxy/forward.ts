// Forwards one client request to an engine: picks endpoints, retries transport failures before the
// first byte, relays the answer (SSE chunk by chunk, or a bounded JSON body) and reports each step.
import { errorResponse, type GatewayErrorCode, sseErrorEvent } from "../openai/errors.ts";
import { type AttemptState, type Failure, sendWithRetries, stoppedByDeadline } from "./attempts.ts";
import { readBoundedResponse } from "./bounded-body.ts";
import { createRequestDeadline } from "./deadline.ts";
import { describeError } from "./error-detail.ts";
import { guardObserver } from "./guarded-observer.ts";
import { isEventStream, toClientHeaders } from "./headers.ts";
import { createSseRelay, type RelayFailure, type RelayResult } from "./sse.ts";
import type { ForwardRequest, ProxyOutcome, ProxySettings, UpstreamTarget } from "./types.ts";
import { usageOfBody } from "./upstream-usage.ts";

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Recorded (never sent) when the client left before any response: nginx's "client closed request". */
export const CLIENT_CLOSED_STATUS = 499;
/** Routes whose streams end with `data: [DONE]`; elsewhere (Responses, Messages) a clean EOF ends them. */
const DONE_TERMINATED_PATH = /\/(chat\/)?completions$/;
const UTF8 = new TextDecoder();

interface Forwarding extends AttemptState {
  readonly now: () => number;
  isFinished: boolean;
}

/**
 * Forwards `request` and resolves with the client's response. Never rejects for upstream trouble:
 * failures become catalogued error responses (or an SSE error event once a stream has started).
 * `now` is the gateway clock in ms; `random` in [0, 1) jitters the backoff.
 */
export async function forwardRequest(
  request: ForwardRequest,
  settings: ProxySettings,
  now: () => number = () => performance.now(),
  random: () => number = Math.random,
): Promise<Response> {
  const forwarding: Forwarding = {
    request,
    settings,
    observer: guardObserver(request.observer),
    deadline: createRequestDeadline(request.clientRequest.signal, settings, now),
    now,
    random,
    bodyText: JSON.stringify(request.body),
    upstreamHeaders: { ...request.upstreamHeaders, "content-type": "application/json" },
    attempts: 0,
    isFinished: false,
  };
  try {
    const sent = await sendWithRetries(forwarding);
    if (sent.kind === "response") return await relayResponse(forwarding, sent.target, sent.response);
    if (sent.kind === "client-abort") return clientGone(forwarding, sent.endpointId);
    return failBeforeResponse(forwarding, sent);
  } catch (error) {
    forwarding.deadline.abort();
    finish(forwarding, {
      status: 500,
      endpointId: null,
      isClientAbort: false,
      errorCode: "gateway_internal",
      errorDetail: describeError(error),
    });
    throw new Error(`proxy failed forwarding request ${request.requestId}`, { cause: error });
  }
}

async function relayResponse(
  forwarding: Forwarding,
  target: UpstreamTarget,
  response: Response,
): Promise<Response> {
  forwarding.observer.onUpstreamResponse(target.endpointId, response.status);
  const isSse = isEventStream(response.headers);
  const headers = toClientHeaders(response.headers, target.endpointId, forwarding.request.requestId, isSse);
  if (forwarding.request.isStreaming && response.status === 200 && isSse && response.body !== null) {
    return new Response(relayStream(forwarding, target, response.body), { status: 200, headers });
  }
  return relayWhole(forwarding, target, response, headers);
}

function relayStream(
  forwarding: Forwarding,
  target: UpstreamTarget,
  body: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  const { request, observer } = forwarding;
  return createSseRelay({
    upstream: body,
    isUsageOnlyDropped: !request.clientWantsUsage,
    isDoneExpected: DONE_TERMINATED_PATH.test(request.path),
    maxBufferedBytes: forwarding.settings.maxBufferedBytes,
    deadline: forwarding.deadline,
    clientSignal: request.clientRequest.signal,
    now: forwarding.now,
    failureEvent: function midstreamErrorEvent(reason) {
      return sseErrorEvent(midstreamErrorCode(reason));
    },
    onFirstToken: observer.onFirstToken,
    onToken: observer.onToken,
    onEnd: function streamEnded(result) {
      finishStream(forwarding, target, result);
    },
  });
}

function finishStream(forwarding: Forwarding, target: UpstreamTarget, result: RelayResult): void {
  if (result.usage !== null) forwarding.observer.onUsage(result.usage);
  finish(forwarding, {
    status: 200,
    endpointId: target.endpointId,
    isClientAbort: result.end.kind === "client-abort",
    errorCode: result.end.kind === "failed" ? midstreamErrorCode(result.end.reason) : null,
    ...(result.end.kind === "failed" ? { errorDetail: result.end.detail } : {}),
    contentChunks: result.contentChunks,
  });
}

async function relayWhole(
  forwarding: Forwarding,
  target: UpstreamTarget,
  response: Response,
  headers: Record<string, string>,
): Promise<Response> {
  const maxBytes = forwarding.settings.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const body = await readBoundedResponse(response, maxBytes);
  if (body.kind !== "ok") {
    if (forwarding.deadline.signal.aborted) {
      const stopped = stoppedByDeadline(forwarding, target.endpointId, false);
      if (stopped.kind === "failed") return failBeforeResponse(forwarding, stopped);
      return clientGone(forwarding, target.endpointId);
    }
    const detail = body.kind === "too-large" ? `body over ${maxBytes} bytes` : describeError(body.cause);
    return failBeforeResponse(forwarding, {
      code: "gateway_upstream_unavailable",
      endpointId: target.endpointId,
      detail,
    });
  }
  if (response.ok) {
    forwarding.observer.onFirstToken(forwarding.now());
    const usage = usageOfBody(parseJsonBody(body.bytes, headers));
    if (usage !== null) forwarding.observer.onUsage(usage);
  }
  finish(forwarding, {
    status: response.status,
    endpointId: target.endpointId,
    isClientAbort: false,
    errorCode: null,
  });
  return new Response(body.bytes, { status: response.status, headers });
}

function failBeforeResponse(forwarding: Forwarding, failure: Failure): Response {
  const response = errorResponse(failure.code, { requestId: forwarding.request.requestId });
  finish(forwarding, {
    status: response.status,
    endpointId: failure.endpointId,
    isClientAbort: false,
    errorCode: failure.code,
    errorDetail: failure.detail,
  });
  return response;
}

function clientGone(forwarding: Forwarding, endpointId: string | null): Response {
  finish(forwarding, { status: CLIENT_CLOSED_STATUS, endpointId, isClientAbort: true, errorCode: null });
  return new Response(null, { status: CLIENT_CLOSED_STATUS });
}

/** Reports the outcome exactly once and stops the request's timers. */
function finish(forwarding: Forwarding, outcome: Omit<ProxyOutcome, "attempts">): void {
  if (forwarding.isFinished) return;
  forwarding.isFinished = true;
  forwarding.deadline.dispose();
  forwarding.observer.onFinish({ ...outcome, attempts: forwarding.attempts });
}

function midstreamErrorCode(reason: RelayFailure): GatewayErrorCode {
  return reason === "timeout" ? "gateway_upstream_timeout" : "gateway_upstream_failed_midstream";
}

/** The body as JSON when it says it is JSON; undefined otherwise (relayed as is, no usage). */
function parseJsonBody(bytes: Uint8Array, headers: Record<string, string>): unknown {
  if (!(headers["content-type"] ?? "").includes("json")) return undefined;
  try {
    return JSON.parse(UTF8.decode(bytes)) as unknown;
  } catch {
    // Not JSON after all: the bytes still go to the client unchanged; there is just no usage to read.
    return undefined;
  }
}
