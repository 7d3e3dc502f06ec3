// The attempts of one request before any byte reaches the client: pick an endpoint, send, and on a
// transport failure (connect error, 502/503/504) exclude it, back off and try the next.
import type { GatewayErrorCode } from "../openai/errors.ts";
import { readBoundedBody } from "./bounded-body.ts";
import type { RequestDeadline } from "./deadline.ts";
import { describeError } from "./error-detail.ts";
import type { GuardedObserver } from "./guarded-observer.ts";
import { backoffDelayMs, isRetryableStatus, sleepUnlessAborted } from "./retry.ts";
import type { ForwardRequest, ProxySettings, UpstreamTarget } from "./types.ts";

/** Error bodies of retried attempts are read (so the connection can be reused) up to this size. */
const DISCARDED_BODY_MAX_BYTES = 64 * 1024;

/** Per-request state the attempts read; `attempts` counts the attempts started. */
export interface AttemptState {
  readonly request: ForwardRequest;
  readonly settings: ProxySettings;
  readonly observer: GuardedObserver;
  readonly deadline: RequestDeadline;
  readonly random: () => number;
  readonly bodyText: string;
  readonly upstreamHeaders: Record<string, string>;
  attempts: number;
}

/** A request that failed before any response: the catalogued code and a log-only detail. */
export interface Failure {
  readonly code: GatewayErrorCode;
  readonly endpointId: string | null;
  readonly detail: string;
}

export type Sent =
  | { readonly kind: "response"; readonly target: UpstreamTarget; readonly response: Response }
  | ({ readonly kind: "failed" } & Failure)
  | { readonly kind: "client-abort"; readonly endpointId: string | null };

type Attempt =
  | { readonly kind: "response"; readonly response: Response }
  | { readonly kind: "aborted" }
  | {
      readonly kind: "retry";
      /** Bounded set, fit for a metric label: connect_refused, network_error, http_<status>. */
      readonly reason: string;
      readonly status: number | null;
      /** For the log: the system error code or message. */
      readonly detail: string;
    };

/** Runs attempts until an engine answers with a relayable status, or the request fails or is abandoned. */
export async function sendWithRetries(state: AttemptState): Promise<Sent> {
  const { request, settings, observer, deadline } = state;
  const maxAttempts = Math.max(1, settings.maxAttempts);
  const excluded = new Set<string>();
  let last: { readonly endpointId: string; readonly detail: string } | null = null;
  while (state.attempts < maxAttempts) {
    const picked = request.pick(excluded);
    if (!picked.ok) {
      return last === null
        ? { kind: "failed", code: "gateway_no_endpoint", endpointId: null, detail: picked.reason }
        : { kind: "failed", code: "gateway_upstream_unavailable", ...last };
    }
    const target = picked.target;
    state.attempts++;
    observer.onAttempt(target.endpointId, state.attempts);
    const attempt = await sendOnce(state, target);
    if (attempt.kind === "response") return { kind: "response", target, response: attempt.response };
    if (attempt.kind === "aborted") return stoppedByDeadline(state, target.endpointId, true);
    excluded.add(target.endpointId);
    last = { endpointId: target.endpointId, detail: attempt.detail };
    observer.onAttemptFailed(target.endpointId, attempt.reason, attempt.status);
    if (state.attempts >= maxAttempts) break;
    await sleepUnlessAborted(backoffDelayMs(state.attempts, settings, state.random), deadline.signal);
    if (deadline.signal.aborted) return stoppedByDeadline(state, target.endpointId, false);
  }
  return {
    kind: "failed",
    code: "gateway_upstream_unavailable",
    endpointId: last?.endpointId ?? null,
    detail: last?.detail ?? "",
  };
}

async function sendOnce(state: AttemptState, target: UpstreamTarget): Promise<Attempt> {
  const { deadline } = state;
  // An engine answers a stream's headers at once, so a streaming attempt is idle-watched from the
  // start; a non-streaming engine is silent until done, and only the total timeout bounds it.
  if (state.request.isStreaming) {
    deadline.touch();
    deadline.armIdle();
  }
  let response: Response;
  try {
    response = await fetch(`${target.baseUrl}${state.request.path}`, {
      method: "POST",
      headers: state.upstreamHeaders,
      body: state.bodyText,
      signal: deadline.signal,
      // bun-platform §4.2: Bun's 5-minute socket idle kill would cut long quiet generations; our
      // deadline bounds the request instead.
      timeout: false,
    });
  } catch (error) {
    if (deadline.signal.aborted) return { kind: "aborted" };
    const detail = describeError(error);
    return {
      kind: "retry",
      reason: detail === "ECONNREFUSED" ? "connect_refused" : "network_error",
      status: null,
      detail,
    };
  }
  if (!isRetryableStatus(response.status)) return { kind: "response", response };
  // The attempt has failed either way; reading the short body lets the connection be reused.
  await readBoundedBody(response.body, DISCARDED_BODY_MAX_BYTES);
  const reason = `http_${response.status}`;
  return { kind: "retry", reason, status: response.status, detail: reason };
}

/** The deadline's signal fired before a response: a timeout (the endpoint's failure) or the client leaving. */
export function stoppedByDeadline(state: AttemptState, endpointId: string, isAttemptOpen: boolean): Sent {
  const expiry = state.deadline.expired();
  if (expiry === null) return { kind: "client-abort", endpointId };
  if (isAttemptOpen) state.observer.onAttemptFailed(endpointId, "timeout", null);
  return { kind: "failed", code: "gateway_upstream_timeout", endpointId, detail: `${expiry} timeout` };
}
