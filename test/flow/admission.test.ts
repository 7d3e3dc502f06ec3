import { describe, expect, test } from "bun:test";
import type { AdmitResult } from "../../src/flow/index.ts";
import { capacityDetectors, endpoint, harness, request } from "./builders.ts";
import { settle } from "./fake-clock.ts";

function rejectionCode(result: AdmitResult): string | null {
  return result.ok ? null : result.rejection.code;
}

describe("admission", () => {
  test("admits at once, unqueued, while the pool is not saturated", async () => {
    const { admission } = harness({ saturation_detectors: capacityDetectors(2) });
    const result = await admission.admit(request());
    expect(result.ok).toBe(true);
    expect(result.queuedMs).toBe(0);
    expect(admission.stats().outcomes).toEqual({ admitted: 1 });
  });

  test("queues while saturated and dispatches when a ticket is released", async () => {
    const { admission } = harness({ saturation_detectors: capacityDetectors(1) });
    const first = await admission.admit(request());
    let second: AdmitResult | null = null;
    void admission.admit(request()).then((r) => (second = r));
    await settle();
    expect(second).toBeNull();
    expect(admission.stats().queuedRequests).toBe(1);
    if (first.ok) first.ticket.release();
    await settle();
    expect((second as AdmitResult | null)?.ok).toBe(true);
    expect(admission.stats().queuedRequests).toBe(0);
  });

  test("sheddable requests are rejected at once with 429 rejected-saturated when saturated", async () => {
    const { admission } = harness({ saturation_detectors: capacityDetectors(1) });
    expect((await admission.admit(request({ priority: -1 }))).ok).toBe(true);
    const shed = await admission.admit(request({ priority: -1 }));
    expect(shed.ok).toBe(false);
    if (!shed.ok) {
      expect(shed.rejection).toMatchObject({
        code: "flow_rejected_saturated",
        gatewayCode: "gateway_rate_limited",
        dropReason: "rejected-saturated",
      });
    }
  });

  test("stale metrics count as saturated: sheddable shed, others queued until a fresh scrape", async () => {
    const h = harness({ saturation_detectors: [{ type: "utilization-detector" }] });
    h.endpoints = [endpoint("e0", h.clock.nowMs - 201)];
    expect(rejectionCode(await h.admission.admit(request({ priority: -5 })))).toBe("flow_rejected_saturated");
    let queued: AdmitResult | null = null;
    void h.admission.admit(request()).then((r) => (queued = r));
    await h.clock.advance(50);
    expect(queued).toBeNull();
    h.endpoints = [endpoint("e0", h.clock.nowMs)];
    await h.clock.advance(10);
    expect((queued as AdmitResult | null)?.ok).toBe(true);
  });

  test("a queued request that reaches its TTL gets 429 rejected-ttl-expired after exactly its TTL", async () => {
    const { admission, clock } = harness({
      saturation_detectors: capacityDetectors(1),
      default_ttl_ms: 1000,
    });
    await admission.admit(request());
    const results: AdmitResult[] = [];
    void admission.admit(request()).then((r) => results.push(r));
    void admission.admit(request({ ttlMs: 300 })).then((r) => results.push(r));
    await clock.advance(299);
    expect(results).toEqual([]);
    await clock.advance(1);
    expect(results.map(rejectionCode)).toEqual(["flow_ttl_expired"]);
    expect(results[0]?.queuedMs).toBe(300);
    await clock.advance(700);
    expect(results.map(rejectionCode)).toEqual(["flow_ttl_expired", "flow_ttl_expired"]);
    expect(results[1]?.queuedMs).toBe(1000);
    if (!results[1]?.ok) expect(results[1]?.rejection.dropReason).toBe("rejected-ttl-expired");
  });

  test("TTL expiry with no endpoint left is a 503 no-endpoint outcome", async () => {
    const h = harness({ saturation_detectors: capacityDetectors(1), default_ttl_ms: 500 });
    await h.admission.admit(request());
    let result: AdmitResult | null = null;
    void h.admission.admit(request()).then((r) => (result = r));
    h.endpoints = [];
    await h.clock.advance(500);
    expect(rejectionCode(result as unknown as AdmitResult)).toBe("flow_ttl_expired_no_endpoints");
  });

  test("a full queue refuses equal priority with flow_queue_full; higher priority evicts the newest lowest", async () => {
    const { admission } = harness({ saturation_detectors: capacityDetectors(1), max_queued_requests: 2 });
    await admission.admit(request());
    const results = new Map<string, AdmitResult>();
    for (const [id, priority] of [
      ["low-old", 0],
      ["low-new", 0],
    ] as const) {
      void admission.admit(request({ requestId: id, priority })).then((r) => results.set(id, r));
    }
    const refused = await admission.admit(request({ priority: 0 }));
    expect(rejectionCode(refused)).toBe("flow_queue_full");
    void admission.admit(request({ requestId: "high", priority: 5 })).then((r) => results.set("high", r));
    await settle();
    const evicted = results.get("low-new");
    expect(evicted && rejectionCode(evicted)).toBe("flow_evicted");
    if (evicted && !evicted.ok) expect(evicted.rejection.dropReason).toBe("evicted-queue-pressure");
    expect(results.has("low-old")).toBe(false);
    expect(admission.stats().queuedRequests).toBe(2);
  });

  test("the byte bound refuses a request that does not fit", async () => {
    const { admission } = harness({ saturation_detectors: capacityDetectors(1), max_queued_bytes: 1000 });
    await admission.admit(request());
    void admission.admit(request({ sizeBytes: 800 }));
    expect(rejectionCode(await admission.admit(request({ sizeBytes: 300 })))).toBe("flow_queue_full");
    expect(rejectionCode(await admission.admit(request({ sizeBytes: 5000, priority: 9 })))).toBe(
      "flow_queue_full",
    );
    expect(admission.stats().queuedBytes).toBe(800);
  });

  test("a client abort while queued removes the request at once with rejected-context-cancelled", async () => {
    const { admission } = harness({ saturation_detectors: capacityDetectors(1) });
    await admission.admit(request());
    const controller = new AbortController();
    let result: AdmitResult | null = null;
    void admission.admit(request({ signal: controller.signal })).then((r) => (result = r));
    await settle();
    expect(admission.stats().queuedRequests).toBe(1);
    controller.abort();
    await settle();
    expect(rejectionCode(result as unknown as AdmitResult)).toBe("flow_cancelled");
    expect(admission.stats().queuedRequests).toBe(0);
    expect(rejectionCode(await admission.admit(request({ signal: controller.signal })))).toBe(
      "flow_cancelled",
    );
  });

  test("close rejects everything queued and every later request with flow_shutting_down", async () => {
    const { admission, clock } = harness({ saturation_detectors: capacityDetectors(1) });
    await admission.admit(request());
    let queued: AdmitResult | null = null;
    void admission.admit(request()).then((r) => (queued = r));
    await settle();
    admission.close();
    await settle();
    expect(rejectionCode(queued as unknown as AdmitResult)).toBe("flow_shutting_down");
    expect(rejectionCode(await admission.admit(request()))).toBe("flow_shutting_down");
    expect(clock.timerCount).toBe(0);
  });

  test("releasing a ticket twice frees capacity once", async () => {
    const { admission } = harness({ saturation_detectors: capacityDetectors(2) });
    const a = await admission.admit(request());
    await admission.admit(request());
    if (a.ok) {
      a.ticket.release();
      a.ticket.release();
    }
    expect(admission.stats().models.m?.inFlight).toBe(1);
  });

  test("models saturate independently", async () => {
    const { admission } = harness({ saturation_detectors: capacityDetectors(1) });
    await admission.admit(request({ model: "a" }));
    expect((await admission.admit(request({ model: "b" }))).ok).toBe(true);
    expect(rejectionCode(await admission.admit(request({ model: "a", priority: -1 })))).toBe(
      "flow_rejected_saturated",
    );
  });
});
