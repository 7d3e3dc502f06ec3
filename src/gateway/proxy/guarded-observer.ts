// Wraps a ProxyObserver so every callback exists and none can throw into the relay: a throwing
// observer is reported (onCallbackError, else stderr) and the request carries on.
import type { ProxyObserver, ProxyOutcome, UpstreamUsage } from "./types.ts";

export interface GuardedObserver {
  onAttempt(endpointId: string, attempt: number): void;
  onAttemptFailed(endpointId: string, reason: string, status: number | null): void;
  onUpstreamResponse(endpointId: string, status: number): void;
  onFirstToken(atMs: number): void;
  onToken(atMs: number): void;
  onUsage(usage: UpstreamUsage): void;
  onFinish(outcome: ProxyOutcome): void;
}

export function guardObserver(observer: ProxyObserver): GuardedObserver {
  function report(callback: string, error: unknown): void {
    try {
      if (observer.onCallbackError !== undefined) {
        observer.onCallbackError(callback, error);
        return;
      }
    } catch (reportError) {
      writeToStderr("onCallbackError", reportError);
    }
    writeToStderr(callback, error);
  }
  return {
    onAttempt: function guardedOnAttempt(endpointId, attempt) {
      try {
        observer.onAttempt?.(endpointId, attempt);
      } catch (error) {
        report("onAttempt", error);
      }
    },
    onAttemptFailed: function guardedOnAttemptFailed(endpointId, reason, status) {
      try {
        observer.onAttemptFailed?.(endpointId, reason, status);
      } catch (error) {
        report("onAttemptFailed", error);
      }
    },
    onUpstreamResponse: function guardedOnUpstreamResponse(endpointId, status) {
      try {
        observer.onUpstreamResponse?.(endpointId, status);
      } catch (error) {
        report("onUpstreamResponse", error);
      }
    },
    onFirstToken: function guardedOnFirstToken(atMs) {
      try {
        observer.onFirstToken?.(atMs);
      } catch (error) {
        report("onFirstToken", error);
      }
    },
    onToken: function guardedOnToken(atMs) {
      try {
        observer.onToken?.(atMs);
      } catch (error) {
        report("onToken", error);
      }
    },
    onUsage: function guardedOnUsage(usage) {
      try {
        observer.onUsage?.(usage);
      } catch (error) {
        report("onUsage", error);
      }
    },
    onFinish: function guardedOnFinish(outcome) {
      try {
        observer.onFinish?.(outcome);
      } catch (error) {
        report("onFinish", error);
      }
    },
  };
}

/** Last resort when the observer gives no error hook: one JSON line, like the rest of llmux's logs. */
function writeToStderr(callback: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${JSON.stringify({ level: "error", msg: "proxy observer callback threw", callback, error: message })}\n`,
  );
}
