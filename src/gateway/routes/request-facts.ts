// What the generation route learns about a request around its routing decision: the prompt's block
// keys before scheduling, and the finished request (a latency sample, cached-token metrics) after it ended.
import type { EndpointSnapshot } from "../../pool/index.ts";
import type { PrefixKeys, SchedulingRequest } from "../../scheduler/index.ts";
import type { CompletedRequest, GatewayContext, PrefixKeysInput } from "../context.ts";
import type { ObservedDone } from "../request-observer.ts";

/** The request's block keys from the node's source; a failing source means routing without them. */
export async function keysOf(ctx: GatewayContext, input: PrefixKeysInput): Promise<PrefixKeys | undefined> {
  if (ctx.prefixKeys === undefined) return undefined;
  try {
    return await ctx.prefixKeys(input);
  } catch (cause) {
    ctx.logger.warn({ err: cause, requestId: input.requestId }, "prefix keys failed; routing without them");
    return undefined;
  }
}

/** The endpoint the proxy's last pick sent the request to, as the scheduler saw it then. */
export interface PickedEndpoint {
  readonly endpoint: EndpointSnapshot;
  readonly cachedTokensEstimate: number;
  /** Gateway clock at the pick: latency samples exclude time spent queued or tokenizing. */
  readonly atMs: number;
}

/**
 * Reports a finished request to the routing metrics and to `ctx.onRequestDone` when the answer came
 * from the proxy's last pick (a P/D prefill leg that answered by itself was not picked by the proxy).
 */
export function reportDone(
  ctx: GatewayContext,
  scheduling: SchedulingRequest,
  picked: PickedEndpoint,
  done: ObservedDone,
): void {
  if (done.outcome.endpointId !== picked.endpoint.descriptor.id) return;
  const completed = completedRequest(scheduling, picked, done);
  ctx.metrics.routing.completed(completed);
  ctx.onRequestDone?.(completed);
}

function completedRequest(
  scheduling: SchedulingRequest,
  picked: PickedEndpoint,
  done: ObservedDone,
): CompletedRequest {
  const { usage, firstTokenAtMs, lastTokenAtMs } = done;
  const completion = usage?.completionTokens ?? null;
  const ttftMs = firstTokenAtMs === null ? null : Math.max(0, firstTokenAtMs - picked.atMs);
  const tpotMs =
    firstTokenAtMs !== null && lastTokenAtMs !== null && completion !== null && completion >= 2
      ? (lastTokenAtMs - firstTokenAtMs) / (completion - 1)
      : null;
  return {
    scheduling,
    endpoint: picked.endpoint,
    cachedTokensEstimate: picked.cachedTokensEstimate,
    status: done.outcome.status,
    ttftMs,
    tpotMs,
    promptTokens: usage?.promptTokens ?? null,
    completionTokens: completion,
    cachedTokens: usage?.cachedTokens ?? null,
  };
}
