// Prefers the endpoint that served the request's session before: a server-side TTL map from the session
// id (header or cookie) to the endpoint picked last, updated after each pick (llm-d §2.3, session_id
// strategy). Reads request headers only.
import { z } from "zod";
import type { PluginDeps, SchedulingRequest, Scorer } from "../types.ts";

export const TYPE = "session-affinity-scorer";

export const Params = z.strictObject({
  strategy: z
    .enum(["session_id"])
    .default("session_id")
    .describe("server-side map from session id to endpoint (llm-d's encoded_endpoint_header is not offered)"),
  headerName: z.string().min(1).default("x-session-id").describe("request header carrying the session id"),
  cookieName: z
    .string()
    .min(1)
    .optional()
    .describe("cookie carrying the session id when the header is absent"),
  evictionTtlSeconds: z.number().positive().default(300).describe("a session unused this long is forgotten"),
  maxSessions: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe("sessions remembered at most (oldest dropped)"),
});
export type Params = z.infer<typeof Params>;

interface SessionEntry {
  readonly endpointId: string;
  readonly lastUsedMs: number;
}

export function create(name: string, params: Params, deps: PluginDeps) {
  const ttlMs = params.evictionTtlSeconds * 1000;
  // Insertion order is last-use order, so expired and surplus sessions are always at the front.
  const sessions = new Map<string, SessionEntry>();

  function sessionIdOf(request: SchedulingRequest): string | null {
    const fromHeader = request.headers.get(params.headerName);
    if (fromHeader !== null && fromHeader !== "") return fromHeader;
    return params.cookieName === undefined
      ? null
      : cookieValue(request.headers.get("cookie"), params.cookieName);
  }

  return {
    typedName: { type: TYPE, name },
    category: "affinity",
    consumes: [],
    score: function scoreSessionAffinity(request, endpoints, _cycle, out) {
      const sessionId = sessionIdOf(request);
      const entry = sessionId === null ? undefined : sessions.get(sessionId);
      const target = entry !== undefined && deps.now() - entry.lastUsedMs <= ttlMs ? entry.endpointId : null;
      for (let i = 0; i < endpoints.length; i++) out[i] = endpoints[i]?.descriptor.id === target ? 1 : 0;
    },
    preRequest: function rememberSession(request, endpointId) {
      const sessionId = sessionIdOf(request);
      if (sessionId === null) return;
      const nowMs = deps.now();
      sessions.delete(sessionId);
      sessions.set(sessionId, { endpointId, lastUsedMs: nowMs });
      for (const [id, entry] of sessions) {
        if (sessions.size <= params.maxSessions && nowMs - entry.lastUsedMs <= ttlMs) break;
        sessions.delete(id);
      }
    },
    retainEndpoints: function forgetGoneEndpoints(liveIds) {
      for (const [id, entry] of sessions) if (!liveIds.has(entry.endpointId)) sessions.delete(id);
    },
  } satisfies Scorer;
}

function cookieValue(header: string | null, cookieName: string): string | null {
  if (header === null) return null;
  for (const pair of header.split(";")) {
    const separator = pair.indexOf("=");
    if (separator > 0 && pair.slice(0, separator).trim() === cookieName) {
      const value = pair.slice(separator + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}
