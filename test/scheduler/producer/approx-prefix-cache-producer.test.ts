import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { PREFIX_MATCH_KEY } from "../../../src/scheduler/data-keys.ts";
import { create, Params } from "../../../src/scheduler/producer/approx-prefix-cache-producer.ts";
import type { SchedulingRequest } from "../../../src/scheduler/types.ts";
import { type EndpointOptions, endpoint, pluginDeps, request } from "../builders.ts";

const SYSTEM = "S".repeat(640); // 10 blocks of 64 characters
const pool = [endpoint("a"), endpoint("b")];

function match(producer: ReturnType<typeof create>, req: SchedulingRequest, endpoints = pool) {
  const cycle = new MapCycleState();
  producer.produce(req, endpoints, cycle);
  const info = cycle.get(PREFIX_MATCH_KEY);
  if (info === undefined) throw new Error("no prefix match produced");
  const out: Record<string, number> = { total: info.totalBlocks };
  for (const e of endpoints) out[e.descriptor.id] = info.matchedBlocks(e.descriptor.id);
  return out;
}

describe("approx-prefix-cache-producer", () => {
  test("learns optimistically from picks and matches shared prefixes per endpoint", () => {
    const producer = create("approx", Params.parse({}), pluginDeps());
    const first = request({ prompt: `${SYSTEM}question one` });
    expect(match(producer, first)).toEqual({ total: 11, a: 0, b: 0 });
    producer.preRequest(first, "a");
    // Same system prompt, different question: the 10 full system blocks match on "a" only.
    expect(match(producer, request({ prompt: `${SYSTEM}question two` }))).toEqual({ total: 11, a: 10, b: 0 });
    expect(match(producer, request({ prompt: `${SYSTEM}question one` }))).toEqual({ total: 11, a: 11, b: 0 });
  });

  test("different model, adapter or cache_salt never match", () => {
    const producer = create("approx", Params.parse({}), pluginDeps());
    producer.preRequest(request({ prompt: SYSTEM }), "a");
    expect(match(producer, request({ prompt: SYSTEM, model: "m2" }))).toMatchObject({ a: 0 });
    expect(match(producer, request({ prompt: SYSTEM, loraName: "sql" }))).toMatchObject({ a: 0 });
    expect(match(producer, request({ body: { prompt: SYSTEM, cache_salt: "t1" } }))).toMatchObject({ a: 0 });
    expect(match(producer, request({ prompt: SYSTEM }))).toMatchObject({ a: 10 });
  });

  test("maxPrefixTokensToMatch caps the blocks hashed; blockSizeTokens sets the block length", () => {
    const capped = create("approx", Params.parse({ maxPrefixTokensToMatch: 32 }), pluginDeps());
    expect(match(capped, request({ prompt: SYSTEM })).total).toBe(2);
    const byBlocks = create(
      "approx",
      Params.parse({ maxPrefixTokensToMatch: 0, maxPrefixBlocksToMatch: 3 }),
      pluginDeps(),
    );
    expect(match(byBlocks, request({ prompt: SYSTEM })).total).toBe(3);
    const bigBlocks = create("approx", Params.parse({ blockSizeTokens: 32 }), pluginDeps());
    expect(match(bigBlocks, request({ prompt: SYSTEM })).total).toBe(5);
  });

  test("autoTune sizes an endpoint's LRU from the engine's num_gpu_blocks × block_size", () => {
    const producer = create("approx", Params.parse({}), pluginDeps());
    const small: EndpointOptions = { metrics: { numGpuBlocks: 2, blockSize: 16 } };
    const endpoints = [endpoint("a", small)];
    const req = request({ prompt: SYSTEM });
    match(producer, req, endpoints);
    producer.preRequest(req, "a");
    expect(match(producer, request({ prompt: SYSTEM }), endpoints)).toEqual({ total: 10, a: 2 });
  });

  test("forgets endpoints that left the pool", () => {
    const producer = create("approx", Params.parse({}), pluginDeps());
    producer.preRequest(request({ prompt: SYSTEM }), "a");
    producer.retainEndpoints(new Set(["b"]));
    expect(match(producer, request({ prompt: SYSTEM }))).toMatchObject({ a: 0 });
  });
});
