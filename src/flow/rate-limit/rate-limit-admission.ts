// Admission that enforces only per-key rate limits: what a gateway runs while `flow.enabled` is false, so
// api_keys[].rpm / tpm hold without queueing, saturation checks or shedding. Same contract as
// createAdmission, so the gateway has one request path either way.
import type { Admission, AdmissionStats } from "../admission.ts";
import { toRejection } from "../admission.ts";
import type { FlowErrorCode } from "../errors.ts";
import type { AdmissionRequest, AdmissionTicket, AdmitResult, TokenUsage } from "../types.ts";
import type { RateLimiter } from "./rate-limiter.ts";

export interface RateLimitAdmissionDeps {
  readonly rateLimiter: RateLimiter;
  /** Gateway clock in ms. */
  readonly now: () => number;
}

/** Admits at once unless the request's key is over its limits or the admission is closed. */
export function createRateLimitAdmission(deps: RateLimitAdmissionDeps): Admission {
  const outcomes: Record<string, number> = {};
  let isClosed = false;

  function count(outcome: string): void {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }

  function reject(code: FlowErrorCode, arrivedMs: number, retryAfterS: number | null = null): AdmitResult {
    count(code);
    return { ok: false, rejection: toRejection(code, retryAfterS), queuedMs: deps.now() - arrivedMs };
  }

  function ticket(request: AdmissionRequest): AdmissionTicket {
    let isReleased = false;
    return {
      release: function releaseRateLimited(usage?: TokenUsage) {
        if (isReleased) return;
        isReleased = true;
        const limits = request.rateLimits;
        if (usage === undefined || !limits) return;
        deps.rateLimiter.recordUsage(limits.key, limits.tpm, usage.promptTokens + usage.completionTokens);
      },
    };
  }

  return {
    admit: async function admitRateLimited(request: AdmissionRequest): Promise<AdmitResult> {
      const arrivedMs = deps.now();
      const limits = request.rateLimits;
      if (!isClosed && limits) {
        const decision = await deps.rateLimiter.check(limits.key, limits);
        if (!decision.ok) {
          const code =
            decision.limit === "requests" ? "flow_rate_limited_requests" : "flow_rate_limited_tokens";
          return reject(code, arrivedMs, Math.ceil(decision.retryAfterMs / 1000));
        }
      }
      if (isClosed) return reject("flow_shutting_down", arrivedMs);
      count("admitted");
      return { ok: true, ticket: ticket(request), queuedMs: deps.now() - arrivedMs };
    },
    notify() {},
    saturation: () => 0,
    stats: (): AdmissionStats => ({
      queuedRequests: 0,
      queuedBytes: 0,
      models: {},
      outcomes: { ...outcomes },
    }),
    close() {
      isClosed = true;
    },
  };
}
