// One prefill attempt: POST the one-token body to a prefill engine, read the whole JSON answer and take
// its kv_transfer_params (vllm-interfaces.md §4.2 steps 2–3). Bounded by a per-attempt timeout and
// cancelled when the client leaves, so the engine sees the connection close and frees the request.
import { kvTransferParamsOf } from "./leg-bodies.ts";
import type { LegUsage, PdTarget } from "./types.ts";
import { legUsageOf } from "./usage-merge.ts";

export type PrefillAttempt =
  | {
      readonly kind: "ok";
      /** Null when the engine finished the request abnormally and so holds no blocks for a decoder. */
      readonly kvTransferParams: Record<string, unknown> | null;
      readonly usage: LegUsage | null;
    }
  /** The engine refused the request (4xx): the client's request is at fault, not the engine. */
  | { readonly kind: "client_error"; readonly response: Response }
  /** A 5xx, a connect or read error, or an unreadable answer; `reason` is a bounded label. */
  | { readonly kind: "failed"; readonly reason: string; readonly detail: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "aborted" };

export interface PrefillAttemptOptions {
  readonly path: string;
  readonly bodyText: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly clientSignal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

const UTF8 = new TextDecoder();

export async function sendPrefill(target: PdTarget, options: PrefillAttemptOptions): Promise<PrefillAttempt> {
  const controller = new AbortController();
  let isTimedOut = false;
  const timer = setTimeout(function prefillTimedOut() {
    isTimedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onClientAbort = () => controller.abort();
  options.clientSignal.addEventListener("abort", onClientAbort, { once: true });
  if (options.clientSignal.aborted) controller.abort();
  try {
    const response = await fetch(`${target.baseUrl}${options.path}`, {
      method: "POST",
      headers: { ...options.headers, "content-type": "application/json" },
      body: options.bodyText,
      signal: controller.signal,
      // bun-platform §4.2: Bun's own socket idle timeout is off; the attempt timer above bounds it.
      timeout: false,
    });
    if (response.status >= 400 && response.status < 500) {
      return { kind: "client_error", response: await buffered(response, options.maxResponseBytes) };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { kind: "failed", reason: `http_${response.status}`, detail: `http_${response.status}` };
    }
    const value = parseJson(await readBounded(response, options.maxResponseBytes));
    if (value === undefined) {
      return { kind: "failed", reason: "invalid_response", detail: "prefill response is not JSON" };
    }
    return { kind: "ok", kvTransferParams: kvTransferParamsOf(value), usage: legUsageOf(value) };
  } catch (error) {
    if (isTimedOut) return { kind: "timeout" };
    if (options.clientSignal.aborted) return { kind: "aborted" };
    const detail = describe(error);
    return {
      kind: "failed",
      reason: detail === "ECONNREFUSED" ? "connect_refused" : "network_error",
      detail,
    };
  } finally {
    clearTimeout(timer);
    options.clientSignal.removeEventListener("abort", onClientAbort);
  }
}

/** A refused request's answer, read whole so the engine's connection is free and the client gets it all. */
async function buffered(response: Response, maxBytes: number): Promise<Response> {
  const bytes = await readBounded(response, maxBytes);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  headers.delete("transfer-encoding");
  return new Response(bytes, { status: response.status, statusText: response.statusText, headers });
}

/** The whole body; throws once it passes `maxBytes` (a one-token answer is a few kB). */
async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new RangeError(`prefill response over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(UTF8.decode(bytes)) as unknown;
  } catch {
    // Converted by the caller into a failed attempt with its own reason label.
    return undefined;
  }
}

function describe(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return error instanceof Error ? error.message : String(error);
}
