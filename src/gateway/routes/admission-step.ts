// Flow control's step of a generation request, between model resolution and scheduling: who the request
// is for (priority and fairness id from its API key; the headers only from trusted keys and networks),
// its SLO headers, then admission, which may hold it queued or refuse it with a catalogued response.
import type { Context } from "hono";
import { type AdmissionTicket, resolveFlowIdentity } from "../../flow/index.ts";
import { parseSloHeaders } from "../../scheduler/index.ts";
import type { FlowControl, GatewayContext } from "../context.ts";
import type { AuthenticatedKey } from "../middleware/auth.ts";
import { createNetworkMatcher, type NetworkMatcher } from "../middleware/network-matcher.ts";
import { errorResponse } from "../openai/errors.ts";
import type { UpstreamUsage } from "../proxy/types.ts";
import type { ObservedDone } from "../request-observer.ts";

export interface AdmissionInput {
  readonly requestId: string;
  /** Base model: queues and saturation are per base model. */
  readonly model: string;
  readonly key: AuthenticatedKey | null;
  readonly sizeBytes: number;
  readonly promptTokens: number;
  readonly expectedOutputTokens: number;
}

/** A request let through; `release` ends its hold (idempotent), with the engine's usage when known. */
export interface AdmittedRequest {
  readonly ok: true;
  readonly queuedMs: number;
  release(usage: UpstreamUsage | null): void;
}

export type AdmissionStep = AdmittedRequest | { readonly ok: false; readonly response: Response };

const NOT_QUEUED: AdmittedRequest = { ok: true, queuedMs: 0, release() {} };

/** Built once per trusted_networks list; a reload replaces the frozen config and so the list. */
const matchers = new WeakMap<readonly string[], NetworkMatcher>();

/** Admits the request through ctx.flowControl, waiting while it is queued; passes at once without one. */
export async function admitRequest(
  ctx: GatewayContext,
  c: Context,
  input: AdmissionInput,
): Promise<AdmissionStep> {
  const flow = ctx.flowControl;
  if (flow === undefined) return NOT_QUEUED;
  const headers = c.req.raw.headers;
  const identity = resolveFlowIdentity({
    key: input.key,
    headers,
    isTrusted: isTrustedSource(ctx, c, input.key),
    priorityHeader: flow.config.priority_header,
    fairnessHeader: flow.config.fairness_header,
    defaultFairnessId: flow.config.default_fairness_id,
  });
  if (!identity.ok) return badHeader(input.requestId, identity.header, identity.message);
  const slo = parseSloHeaders(headers);
  if (!slo.ok) return badHeader(input.requestId, slo.header, slo.message);
  const key = input.key;
  const result = await flow.admission.admit({
    requestId: input.requestId,
    model: input.model,
    priority: identity.priority,
    fairnessId: identity.fairnessId,
    sizeBytes: input.sizeBytes,
    promptTokens: input.promptTokens,
    expectedOutputTokens: input.expectedOutputTokens,
    ttlMs: ttlMsOf(ctx, flow),
    signal: c.req.raw.signal,
    slo: { ttftMs: slo.ttftMs, tpotMs: slo.tpotMs },
    rateLimits:
      key !== null && (key.rpm !== null || key.tpm !== null)
        ? { key: key.name, rpm: key.rpm, tpm: key.tpm }
        : null,
  });
  if (result.ok) return admitted(result.ticket, result.queuedMs);
  const { rejection } = result;
  return {
    ok: false,
    response: errorResponse(rejection.gatewayCode, {
      requestId: input.requestId,
      detail: rejection.message,
      ...(rejection.dropReason === null ? {} : { dropReason: rejection.dropReason }),
      ...(rejection.retryAfterS === null ? {} : { retryAfterS: rejection.retryAfterS }),
    }),
  };
}

/**
 * The request observer's onDone that runs `previous` (another consumer's, e.g. the latency samples)
 * and then releases the admission, even when `previous` throws, so a ticket is never leaked.
 */
export function releasingOnDone(
  previous: ((done: ObservedDone) => void) | undefined,
  admission: AdmittedRequest,
): (done: ObservedDone) => void {
  return function releaseAdmissionOnDone(done) {
    try {
      previous?.(done);
    } finally {
      admission.release(done.usage);
    }
  };
}

/** A queued request may wait no longer than the whole request may take. */
function ttlMsOf(ctx: GatewayContext, flow: FlowControl): number {
  return Math.min(flow.config.default_ttl_ms, ctx.gateway.request_timeout_ms);
}

function admitted(ticket: AdmissionTicket, queuedMs: number): AdmittedRequest {
  return {
    ok: true,
    queuedMs,
    release(usage) {
      ticket.release(
        usage === null
          ? undefined
          : { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens },
      );
    },
  };
}

/** A key marked trust_flow_headers, or a peer address inside auth.trusted_networks. */
function isTrustedSource(ctx: GatewayContext, c: Context, key: AuthenticatedKey | null): boolean {
  if (key?.canSetFlowHeaders === true) return true;
  const networks = ctx.auth.trusted_networks;
  if (networks.length === 0) return false;
  const address = peerAddress(c);
  if (address === null) return false;
  let matcher = matchers.get(networks);
  if (matcher === undefined) {
    matcher = createNetworkMatcher(networks);
    matchers.set(networks, matcher);
  }
  return matcher(address);
}

/**
 * The TCP peer's address from Bun's server (server.ts hands it to hono as env.server). Forwarded-for
 * headers are not read: any client could forge them.
 */
function peerAddress(c: Context): string | null {
  const env: unknown = c.env;
  if (typeof env !== "object" || env === null || !("server" in env)) return null;
  const server = env.server as { requestIP?: unknown } | null;
  if (typeof server?.requestIP !== "function") return null;
  const info: unknown = server.requestIP(c.req.raw);
  if (typeof info !== "object" || info === null || !("address" in info)) return null;
  return typeof info.address === "string" ? info.address : null;
}

function badHeader(requestId: string, header: string, message: string): AdmissionStep {
  return {
    ok: false,
    response: errorResponse("gateway_invalid_request", {
      requestId,
      param: header,
      detail: `The \`${header}\` header ${message}.`,
    }),
  };
}
