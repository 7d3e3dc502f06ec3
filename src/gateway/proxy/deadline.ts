// One request's deadlines: the total timeout, the idle (stall) watchdog and the client's own abort,
// merged into the one signal every upstream fetch and body read of the request runs under.
import type { ProxySettings } from "./types.ts";

export type DeadlineExpiry = "total" | "idle";

export interface RequestDeadline {
  /** Aborts when the client goes away, a timeout expires, or `abort()` is called. */
  readonly signal: AbortSignal;
  /** Which timeout fired, if one did. */
  expired(): DeadlineExpiry | null;
  /**
   * Starts the idle watchdog: no `touch()` for idleTimeoutMs aborts the request. Only for
   * streams: a non-streaming engine sends nothing until it is done, so only the total timeout
   * bounds it.
   */
  armIdle(): void;
  /** Upstream bytes arrived. */
  touch(): void;
  /** Aborts the upstream side of the request (client gone, broken upstream). */
  abort(): void;
  /** Clears the timers; the signal stays as it is. */
  dispose(): void;
}

/** `now` is the gateway clock in ms. A timeout of 0 or less is off. */
export function createRequestDeadline(
  clientSignal: AbortSignal,
  settings: Pick<ProxySettings, "totalTimeoutMs" | "idleTimeoutMs">,
  now: () => number,
): RequestDeadline {
  // One controller that the client's signal also aborts: measured cheaper per request than
  // AbortSignal.any in Bun 1.4.5, and the listener is removed on dispose so nothing is retained.
  const controller = new AbortController();
  const signal = controller.signal;
  function onClientAbort(): void {
    controller.abort(clientSignal.reason);
  }
  if (clientSignal.aborted) onClientAbort();
  else clientSignal.addEventListener("abort", onClientAbort, { once: true });
  let expiry: DeadlineExpiry | null = null;
  let lastActivityMs = now();
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  let totalTimer: ReturnType<typeof setTimeout> | null = null;

  function expire(kind: DeadlineExpiry): void {
    if (signal.aborted) return;
    expiry = kind;
    controller.abort(new DOMException(`${kind} timeout`, "TimeoutError"));
  }

  // One timer per idle period, re-armed for the remainder, instead of a clearTimeout/setTimeout
  // pair per relayed chunk: `touch()` on the hot path only stores a number.
  function checkIdle(): void {
    if (signal.aborted) {
      idleTimer = null;
      return;
    }
    const quietMs = now() - lastActivityMs;
    if (quietMs >= settings.idleTimeoutMs) {
      idleTimer = null;
      expire("idle");
    } else {
      idleTimer = setTimeout(checkIdle, settings.idleTimeoutMs - quietMs);
    }
  }

  if (settings.totalTimeoutMs > 0) {
    totalTimer = setTimeout(function totalTimeoutElapsed() {
      totalTimer = null;
      expire("total");
    }, settings.totalTimeoutMs);
  }

  return {
    signal,
    expired: () => expiry,
    armIdle() {
      if (settings.idleTimeoutMs <= 0 || idleTimer !== null || signal.aborted) return;
      lastActivityMs = now();
      idleTimer = setTimeout(checkIdle, settings.idleTimeoutMs);
    },
    touch() {
      lastActivityMs = now();
    },
    abort() {
      if (!controller.signal.aborted) controller.abort(new DOMException("request ended", "AbortError"));
    },
    dispose() {
      clientSignal.removeEventListener("abort", onClientAbort);
      if (idleTimer !== null) clearTimeout(idleTimer);
      if (totalTimer !== null) clearTimeout(totalTimer);
      idleTimer = null;
      totalTimer = null;
    },
  };
}
