import { describe, expect, test } from "bun:test";
import type { EndpointSnapshot } from "../../src/pool/index.ts";
import { createRoundRobinScheduler, type SchedulingRequest } from "../../src/scheduler/index.ts";

function snapshot(id: string): EndpointSnapshot {
  return {
    descriptor: {
      id,
      baseUrl: "",
      models: ["m"],
      loraAdapters: [],
      role: "both",
      labels: {},
      kvEvents: null,
      source: "static",
    },
    metrics: null,
    inFlight: { requests: 0, prefillTokens: 0, decodeTokens: 0 },
    isHealthy: true,
    circuit: "closed",
  };
}

function request(model: string): SchedulingRequest {
  return {
    requestId: "r",
    model,
    loraName: null,
    path: "/v1/completions",
    body: {},
    headers: new Headers(),
    promptTokenEstimate: 1,
  };
}

describe("round-robin scheduler", () => {
  test("rotates over candidates in id order, per model", () => {
    const scheduler = createRoundRobinScheduler();
    const candidates = [snapshot("e2"), snapshot("e0"), snapshot("e1")];
    const picks = Array.from({ length: 4 }, () => {
      const result = scheduler.schedule(request("m"), candidates);
      return result.ok ? result.endpoint.descriptor.id : "none";
    });
    expect(picks).toEqual(["e0", "e1", "e2", "e0"]);
    const other = scheduler.schedule(request("other"), candidates);
    expect(other.ok && other.endpoint.descriptor.id).toBe("e0");
  });

  test("explains the choice and fails clearly without candidates", () => {
    const scheduler = createRoundRobinScheduler();
    const result = scheduler.schedule(request("m"), [snapshot("e0")]);
    expect(result.ok && result.explanation).toMatchObject({ winner: "e0", scores: { e0: { total: 1 } } });
    const empty = scheduler.schedule(request("m"), []);
    expect(empty).toEqual({ ok: false, code: "scheduler_no_endpoints", message: "no endpoint can serve m" });
  });
});
