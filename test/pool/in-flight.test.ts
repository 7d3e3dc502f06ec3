import { describe, expect, test } from "bun:test";
import { InFlightTracker } from "../../src/pool/index.ts";

describe("InFlightTracker", () => {
  test("counts requests, prefill tokens until the first token, and decode tokens until release", () => {
    const tracker = new InFlightTracker();
    const a = tracker.acquire("e0", 1000, 200);
    const b = tracker.acquire("e0", 500, 100);
    expect(tracker.load("e0")).toEqual({ requests: 2, prefillTokens: 1500, decodeTokens: 300 });
    a.firstToken();
    expect(tracker.load("e0")).toEqual({ requests: 2, prefillTokens: 500, decodeTokens: 300 });
    a.release();
    expect(tracker.load("e0")).toEqual({ requests: 1, prefillTokens: 500, decodeTokens: 100 });
    b.release();
    expect(tracker.load("e0")).toEqual({ requests: 0, prefillTokens: 0, decodeTokens: 0 });
  });

  test("releasing twice or after the first token never double-counts", () => {
    const tracker = new InFlightTracker();
    const lease = tracker.acquire("e1", 64, 8);
    lease.firstToken();
    lease.firstToken();
    lease.release();
    lease.release();
    expect(tracker.load("e1")).toEqual({ requests: 0, prefillTokens: 0, decodeTokens: 0 });
    expect(tracker.totalRequests()).toBe(0);
  });

  test("an unknown endpoint has no load", () => {
    expect(new InFlightTracker().load("nope")).toEqual({ requests: 0, prefillTokens: 0, decodeTokens: 0 });
  });
});
