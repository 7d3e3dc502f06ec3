import { describe, expect, test } from "bun:test";
import { type EndpointDescriptor, EndpointPool } from "../../src/pool/index.ts";

function descriptor(id: string, models: string[], loraAdapters: string[] = []): EndpointDescriptor {
  return {
    id,
    baseUrl: `http://127.0.0.1/${id}`,
    models,
    loraAdapters,
    role: "both",
    labels: {},
    kvEvents: null,
    source: "static",
  };
}

function poolAt(clock: { t: number }): EndpointPool {
  return new EndpointPool({ now: () => clock.t, circuitFailureThreshold: 2, circuitOpenMs: 1000 });
}

describe("EndpointPool", () => {
  test("resolves base models and LoRA adapters to their base model", () => {
    const pool = poolAt({ t: 0 });
    pool.upsert(descriptor("e0", ["llama"], ["sql-lora"]));
    pool.upsert(descriptor("e1", ["qwen"]));
    expect(pool.resolveModel("llama")).toEqual({ baseModel: "llama", loraName: null });
    expect(pool.resolveModel("sql-lora")).toEqual({ baseModel: "llama", loraName: "sql-lora" });
    expect(pool.resolveModel("mistral")).toBeNull();
  });

  test("lists each model and adapter once, adapters with their parent", () => {
    const pool = poolAt({ t: 0 });
    pool.upsert(descriptor("e0", ["llama"], ["sql-lora"]));
    pool.upsert(descriptor("e1", ["llama"], ["sql-lora"]));
    pool.upsert(descriptor("e2", ["qwen"]));
    expect(pool.modelNames()).toEqual([
      { id: "llama", parent: null },
      { id: "qwen", parent: null },
      { id: "sql-lora", parent: "llama" },
    ]);
  });

  test("candidates exclude unhealthy endpoints and open circuits; a half-open circuit admits one probe", () => {
    const clock = { t: 0 };
    const pool = poolAt(clock);
    for (const id of ["e0", "e1", "e2"]) pool.upsert(descriptor(id, ["m"]));
    pool.setHealth("e1", false);
    pool.recordFailure("e2");
    pool.recordFailure("e2");
    expect(pool.candidates("m").map((s) => s.descriptor.id)).toEqual(["e0"]);
    clock.t = 1500;
    expect(pool.candidates("m").map((s) => s.descriptor.id)).toEqual(["e0", "e2"]);
    expect(pool.admitAttempt("e2")).toBe(true);
    expect(pool.admitAttempt("e2")).toBe(false); // one probe at a time while half-open
    pool.setHealth("e1", true);
    expect(pool.candidates("m").map((s) => s.descriptor.id)).toEqual(["e0", "e1", "e2"]);
    pool.recordSuccess("e2");
    expect(pool.admitAttempt("e2")).toBe(true);
  });

  test("snapshots carry in-flight load and removal drops the endpoint", () => {
    const pool = poolAt({ t: 0 });
    pool.upsert(descriptor("e0", ["m"]));
    const lease = pool.acquire("e0", 100, 10);
    expect(pool.snapshot()[0]?.inFlight).toEqual({ requests: 1, prefillTokens: 100, decodeTokens: 10 });
    lease.release();
    let changes = 0;
    pool.onChange(() => changes++);
    pool.remove("e0");
    expect(pool.snapshot()).toEqual([]);
    expect(changes).toBe(1);
  });

  test("tells metrics listeners of every scrape of a known endpoint, and change listeners of none", () => {
    const pool = poolAt({ t: 0 });
    pool.upsert(descriptor("e0", ["m"]));
    let scrapes = 0;
    let changes = 0;
    const stop = pool.onMetrics(() => scrapes++);
    pool.onChange(() => changes++);
    const metrics = {
      waitingRequests: 0,
      runningRequests: 1,
      kvUsageRatio: 0.1,
      blockSize: 16,
      numGpuBlocks: 100,
      runningLoras: [],
      waitingLoras: [],
      maxLoras: null,
      scrapedAtMs: 0,
    };
    pool.setMetrics("e0", metrics);
    pool.setMetrics("gone", metrics);
    stop();
    pool.setMetrics("e0", metrics);
    expect({ scrapes, changes }).toEqual({ scrapes: 1, changes: 0 });
  });
});
