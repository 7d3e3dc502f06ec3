// The request id: the client's x-request-id when it is safe to echo into headers, logs and the engine's
// X-Request-Id, otherwise a fresh UUID; stored on the hono context and returned on every response.
import type { MiddlewareHandler } from "hono";
import { REQUEST_ID_HEADER } from "../openai/errors.ts";

/** Longest client-supplied id kept; longer ones are replaced, not cut, so ids stay unique per client. */
export const MAX_REQUEST_ID_CHARS = 128;

/** Visible ASCII only: no spaces or control characters that could split headers or forge log lines. */
const SAFE_REQUEST_ID = /^[\x21-\x7e]+$/;

export type NewRequestId = () => string;

/** The id to use for a request whose x-request-id header is `incoming`. */
export function resolveRequestId(
  incoming: string | null | undefined,
  newId: NewRequestId = defaultNewId,
): string {
  if (incoming === null || incoming === undefined) return newId();
  if (incoming.length === 0 || incoming.length > MAX_REQUEST_ID_CHARS) return newId();
  return SAFE_REQUEST_ID.test(incoming) ? incoming : newId();
}

export interface RequestIdVariables {
  requestId: string;
}

/** Sets `c.var.requestId` before the handler runs and x-request-id on the response when absent. */
export function createRequestIdMiddleware(
  newId: NewRequestId = defaultNewId,
): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async function requestIdMiddleware(c, next) {
    const requestId = resolveRequestId(c.req.header(REQUEST_ID_HEADER), newId);
    c.set("requestId", requestId);
    await next();
    if (!c.res.headers.has(REQUEST_ID_HEADER)) c.header(REQUEST_ID_HEADER, requestId);
  };
}

function defaultNewId(): string {
  return crypto.randomUUID();
}
