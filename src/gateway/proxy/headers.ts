// Response headers toward the client: the engine's headers minus hop-by-hop and framing ones, plus
// x-request-id and x-llmux-endpoint (DESIGN.md "Interfaces").
import { REQUEST_ID_HEADER } from "../openai/errors.ts";

export const ENDPOINT_HEADER = "x-llmux-endpoint";

// RFC 9110 §7.6.1 hop-by-hop fields, plus framing the relay changes: fetch already decoded any
// content-encoding, and the SSE relay may drop an event, so the engine's length no longer holds.
const DROPPED_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "content-encoding",
  "date",
  "server",
]);

/**
 * One pass over the engine's headers into a plain object: cheaper per request than copying a
 * Headers object and deleting from it (measured on the gateway's hot path).
 */
export function toClientHeaders(
  upstream: Headers,
  endpointId: string,
  requestId: string,
  isEventStream: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of upstream) {
    if (!DROPPED_HEADERS.has(name)) headers[name] = value;
  }
  headers[ENDPOINT_HEADER] = endpointId;
  headers[REQUEST_ID_HEADER] = requestId;
  if (isEventStream) headers["cache-control"] = "no-cache";
  return headers;
}

/** `text/event-stream`, with or without parameters. */
export function isEventStream(headers: Headers): boolean {
  return (headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");
}
