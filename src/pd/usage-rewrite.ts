// Applies the merged usage to the decode leg's response on its way to the client: line by line for a
// stream (only `data:` lines carrying "usage" are parsed), or once for a JSON body.
import type { LegUsage } from "./types.ts";
import { rewriteUsageIn } from "./usage-merge.ts";

const ENCODER = new TextEncoder();
/** Decoded usage events are short; parsing only lines that name the key keeps per-token cost to a scan. */
const USAGE_KEY = '"usage"';
const DATA_PREFIX = "data: ";

/** The decode response with the prefill leg's counts in its usage; non-2xx answers pass untouched. */
export async function withPrefillUsage(response: Response, prefill: LegUsage): Promise<Response> {
  if (!response.ok || response.body === null) return response;
  const type = (response.headers.get("content-type") ?? "").toLowerCase();
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  if (type.startsWith("text/event-stream")) {
    return new Response(response.body.pipeThrough(createUsageRewriter(prefill)), init);
  }
  if (!type.includes("json")) return response;
  const text = await response.text();
  return new Response(rewriteJsonText(text, prefill), init);
}

/** A byte stream transform that rewrites usage in complete SSE `data:` lines and passes the rest on. */
export function createUsageRewriter(prefill: LegUsage): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let pending = "";
  return new TransformStream<Uint8Array, Uint8Array>({
    transform: function rewriteChunk(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      const end = pending.lastIndexOf("\n");
      if (end < 0) return;
      const complete = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      controller.enqueue(
        ENCODER.encode(complete.includes(USAGE_KEY) ? rewriteLines(complete, prefill) : complete),
      );
    },
    flush: function flushTail(controller) {
      pending += decoder.decode();
      // A stream that ends without a newline is malformed SSE; its bytes are still the client's.
      if (pending.length > 0) controller.enqueue(ENCODER.encode(rewriteLines(pending, prefill)));
    },
  });
}

function rewriteLines(text: string, prefill: LegUsage): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.startsWith(DATA_PREFIX) || !line.includes(USAGE_KEY)) continue;
    const isCr = line.endsWith("\r");
    const data = line.slice(DATA_PREFIX.length, isCr ? -1 : undefined);
    const rewritten = rewriteJsonText(data, prefill);
    if (rewritten !== data) lines[i] = `${DATA_PREFIX}${rewritten}${isCr ? "\r" : ""}`;
  }
  return lines.join("\n");
}

/** `text` with its usage rewritten, or `text` itself when it is not JSON or has no usage. */
function rewriteJsonText(text: string, prefill: LegUsage): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON (an SSE comment, a truncated event): the engine's bytes go to the client unchanged.
    return text;
  }
  return rewriteUsageIn(value, prefill) ? JSON.stringify(value) : text;
}
