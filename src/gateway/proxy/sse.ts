// The SSE relay: a pull-based stream from the engine's body to the client that reads upstream only
// while the client keeps up, accounts for tokens and usage, and ends a broken stream well-formed.
import type { RequestDeadline } from "./deadline.ts";
import { describeError } from "./error-detail.ts";
import { createSseScanner } from "./sse-scanner.ts";
import type { UpstreamUsage } from "./types.ts";

/** Why a relayed stream ended. */
export type RelayEnd =
  | { readonly kind: "complete" }
  | { readonly kind: "client-abort" }
  | { readonly kind: "failed"; readonly reason: RelayFailure; readonly detail: string };

/** timeout: the deadline fired; network: the body read failed; truncated: clean EOF before `[DONE]`. */
export type RelayFailure = "timeout" | "network" | "truncated" | "oversized-event";

export interface RelayResult {
  readonly end: RelayEnd;
  readonly usage: UpstreamUsage | null;
  /** Content events relayed: one per token as vLLM streams (stream_interval 1). */
  readonly contentChunks: number;
}

export interface SseRelayOptions {
  readonly upstream: ReadableStream<Uint8Array>;
  readonly isUsageOnlyDropped: boolean;
  /** Chat/completions streams end with `data: [DONE]`; a clean EOF without it is a failure. */
  readonly isDoneExpected: boolean;
  readonly maxBufferedBytes: number;
  readonly deadline: RequestDeadline;
  readonly clientSignal: AbortSignal;
  readonly now: () => number;
  /** The complete SSE error event sent before `[DONE]` when the upstream fails. */
  readonly failureEvent: (reason: RelayFailure) => string;
  readonly onFirstToken: (atMs: number) => void;
  readonly onToken: (atMs: number) => void;
  /** Called exactly once, when the stream is over for any reason. */
  readonly onEnd: (result: RelayResult) => void;
}

/** Largest incomplete event held back before the upstream counts as broken. */
export const MAX_PENDING_EVENT_BYTES = 8 * 1024 * 1024;

const ENCODER = new TextEncoder();
const DONE_EVENT = ENCODER.encode("data: [DONE]\n\n");

/** Builds the client-facing body. Client disconnect (cancel or request signal) aborts the upstream. */
export function createSseRelay(options: SseRelayOptions): ReadableStream<Uint8Array> {
  const reader = options.upstream.getReader();
  let output: ReadableStreamDefaultController<Uint8Array> | null = null;
  let isEnded = false;
  let hasRelayed = false;
  let contentChunks = 0;
  const scanner = createSseScanner(
    { isUsageOnlyDropped: options.isUsageOnlyDropped },
    {
      relay: function relayToClient(bytes) {
        output?.enqueue(bytes);
        hasRelayed = true;
      },
      content: function contentRelayed() {
        contentChunks++;
        if (contentChunks === 1) options.onFirstToken(options.now());
        else options.onToken(options.now());
      },
    },
  );

  function end(result: RelayEnd): void {
    if (isEnded) return;
    isEnded = true;
    options.clientSignal.removeEventListener("abort", stopForClient);
    options.onEnd({ end: result, usage: scanner.usage(), contentChunks });
  }

  function stopForClient(): void {
    if (isEnded) return;
    // Abort the fetch (not just the reader) so the engine sees the connection close and frees the slot.
    options.deadline.abort();
    end({ kind: "client-abort" });
  }

  function fail(
    controller: ReadableStreamDefaultController<Uint8Array>,
    reason: RelayFailure,
    detail: string,
  ): void {
    options.deadline.abort();
    controller.enqueue(ENCODER.encode(options.failureEvent(reason)));
    controller.enqueue(DONE_EVENT);
    controller.close();
    end({ kind: "failed", reason, detail });
  }

  function upstreamDone(controller: ReadableStreamDefaultController<Uint8Array>): void {
    const expiry = options.deadline.expired();
    if (expiry !== null) {
      fail(controller, "timeout", `${expiry} timeout`);
      return;
    }
    if (options.isDoneExpected && !scanner.hasSeenDone()) {
      fail(controller, "truncated", "the engine closed the stream before [DONE]");
      return;
    }
    const pending = scanner.takePending();
    if (pending !== null) controller.enqueue(pending);
    controller.close();
    end({ kind: "complete" });
  }

  function failedRead(controller: ReadableStreamDefaultController<Uint8Array>, error: unknown): void {
    const expiry = options.deadline.expired();
    if (expiry !== null) fail(controller, "timeout", `${expiry} timeout`);
    else fail(controller, "network", describeError(error));
  }

  async function pullFromUpstream(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    // Loop until something was enqueued: a pull that enqueues nothing is not called again (WHATWG
    // Streams, ReadableStreamDefaultControllerCallPullIfNeeded), and a chunk may be all held or dropped.
    hasRelayed = false;
    // The idle clock counts only time spent waiting on the engine, not time the client made us wait.
    options.deadline.touch();
    while (!hasRelayed) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        // Converted: the client gets the SSE error event, the outcome carries the cause for the log.
        if (!isEnded) failedRead(controller, error);
        return;
      }
      if (isEnded) return;
      if (chunk.done) {
        upstreamDone(controller);
        return;
      }
      options.deadline.touch();
      scanner.push(chunk.value);
      if (scanner.pendingBytes() > MAX_PENDING_EVENT_BYTES) {
        fail(controller, "oversized-event", `an SSE event over ${MAX_PENDING_EVENT_BYTES} bytes`);
        return;
      }
    }
  }

  options.clientSignal.addEventListener("abort", stopForClient, { once: true });
  if (options.clientSignal.aborted) stopForClient();
  options.deadline.armIdle();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        output = controller;
      },
      pull: pullFromUpstream,
      cancel: function clientCancelled() {
        stopForClient();
      },
    },
    // Backpressure: at most maxBufferedBytes wait here for a slow client before pulls stop and the
    // upstream socket fills (bun-platform §4: Bun's Response honours the stream's desiredSize).
    new ByteLengthQueuingStrategy({ highWaterMark: options.maxBufferedBytes }),
  );
}
