// Per-key limits through admission: refusals carry the gateway code and Retry-After; usage recorded at
// release feeds the token bucket.
import { describe, expect, test } from "bun:test";
import { createMemoryRateLimitStore, createRateLimiter } from "../../src/flow/index.ts";
import { capacityDetectors, harness, request } from "./builders.ts";
import { FakeClock } from "./fake-clock.ts";

describe("rate limits in admission", () => {
  test("rpm refusal: 429 gateway_rate_limited with Retry-After in whole seconds, no drop reason", async () => {
    const clock = new FakeClock();
    const rateLimiter = createRateLimiter({
      store: createMemoryRateLimitStore({ now: clock.now }),
      storeTimeoutMs: 50,
      timers: clock,
    });
    const { admission } = harness(
      { saturation_detectors: capacityDetectors(10) },
      { rateLimiter, now: clock.now, timers: clock },
    );
    const limited = request({ rateLimits: { key: "acme", rpm: 1, tpm: null } });
    expect((await admission.admit(limited)).ok).toBe(true);
    const refused = await admission.admit({ ...limited, requestId: "again" });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.rejection).toEqual({
        code: "flow_rate_limited_requests",
        gatewayCode: "gateway_rate_limited",
        dropReason: null,
        retryAfterS: 60,
        message: "Request rate limit reached for this API key.",
      });
    }
  });

  test("tpm: usage reported at release blocks the key's next request", async () => {
    const clock = new FakeClock();
    const rateLimiter = createRateLimiter({
      store: createMemoryRateLimitStore({ now: clock.now }),
      storeTimeoutMs: 50,
      timers: clock,
    });
    const { admission } = harness(
      { saturation_detectors: capacityDetectors(10) },
      { rateLimiter, now: clock.now, timers: clock },
    );
    const limited = request({ rateLimits: { key: "acme", rpm: null, tpm: 100 } });
    const first = await admission.admit(limited);
    if (first.ok) first.ticket.release({ promptTokens: 90, completionTokens: 60 });
    await clock.advance(0);
    const refused = await admission.admit(limited);
    expect(refused.ok ? null : refused.rejection.code).toBe("flow_rate_limited_tokens");
    expect(refused.ok ? null : refused.rejection.retryAfterS).toBe(31);
  });
});
