// The rate-limit-only admission (flow disabled): admits at once, refuses keys over their limits with the
// same rejections as full admission, debits usage once per ticket, and refuses everything once closed.
import { describe, expect, test } from "bun:test";
import {
  createMemoryRateLimitStore,
  createRateLimitAdmission,
  createRateLimiter,
} from "../../../src/flow/index.ts";
import { request } from "../builders.ts";
import { FakeClock } from "../fake-clock.ts";

function setup() {
  const clock = new FakeClock();
  const rateLimiter = createRateLimiter({
    store: createMemoryRateLimitStore({ now: clock.now }),
    storeTimeoutMs: 50,
    timers: clock,
  });
  return { clock, admission: createRateLimitAdmission({ rateLimiter, now: clock.now }) };
}

describe("rate-limit admission", () => {
  test("admits a request without limits at once, with nothing queued", async () => {
    const { admission } = setup();
    const result = await admission.admit(request({}));
    expect(result.ok).toBe(true);
    expect(result.queuedMs).toBe(0);
    expect(admission.stats()).toEqual({
      queuedRequests: 0,
      queuedBytes: 0,
      models: {},
      outcomes: { admitted: 1 },
    });
  });

  test("refuses the second request of a 1-rpm key with Retry-After 60 s", async () => {
    const { admission } = setup();
    const limited = request({ rateLimits: { key: "acme", rpm: 1, tpm: null } });
    expect((await admission.admit(limited)).ok).toBe(true);
    const refused = await admission.admit(limited);
    expect(refused.ok ? null : refused.rejection).toEqual({
      code: "flow_rate_limited_requests",
      gatewayCode: "gateway_rate_limited",
      dropReason: null,
      retryAfterS: 60,
      message: "Request rate limit reached for this API key.",
    });
  });

  test("debits usage at release once, however often release is called", async () => {
    const { clock, admission } = setup();
    const limited = request({ rateLimits: { key: "acme", rpm: null, tpm: 100 } });
    const first = await admission.admit(limited);
    if (!first.ok) throw new Error("expected admission");
    first.ticket.release({ promptTokens: 60, completionTokens: 0 });
    first.ticket.release({ promptTokens: 60, completionTokens: 0 });
    await clock.advance(0);
    // 100 - 60 = 40 left: a second debit would have emptied the bucket.
    expect((await admission.admit(limited)).ok).toBe(true);
  });

  test("after close every request is refused with flow_shutting_down", async () => {
    const { admission } = setup();
    admission.close();
    const refused = await admission.admit(request({}));
    expect(refused.ok ? null : refused.rejection.code).toBe("flow_shutting_down");
    expect(admission.stats().outcomes).toEqual({ flow_shutting_down: 1 });
  });
});
