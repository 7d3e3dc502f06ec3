import { describe, expect, test } from "bun:test";
import { MapCycleState } from "../../../src/scheduler/cycle-state.ts";
import { PREFIX_MATCH_KEY } from "../../../src/scheduler/data-keys.ts";
import { create, Params } from "../../../src/scheduler/producer/precise-prefix-cache-producer.ts";
import type { PrefixIndexReader, SchedulingRequest } from "../../../src/scheduler/types.ts";
import { endpoint, pluginDeps, request } from "../builders.ts";

/** An index where engine `a` holds 3 of the keys (one on the CPU tier) and `b` holds 1. */
function fakeIndex() {
  const speculative: { engineId: string; keys: readonly bigint[] | BigUint64Array; ttlMs?: number }[] = [];
  const index: PrefixIndexReader = {
    matchLengths(_keys, engineIds) {
      const table: Record<string, { matchedBlocks: number; weightedBlocks: number }> = {
        a: { matchedBlocks: 3, weightedBlocks: 2.8 },
        b: { matchedBlocks: 1, weightedBlocks: 1 },
      };
      return new Map(
        engineIds
          .filter((id) => table[id])
          .map((id) => [id, table[id] as { matchedBlocks: number; weightedBlocks: number }]),
      );
    },
    insertSpeculative(engineId, keys, ttlMs) {
      speculative.push({ engineId, keys, ...(ttlMs === undefined ? {} : { ttlMs }) });
    },
  };
  return { index, speculative };
}

const KEYS = [11n, 22n, 33n, 44n];
const withKeys: SchedulingRequest = {
  ...request({ promptTokenEstimate: 64 }),
  prefixKeys: { keys: KEYS, blockSizeTokens: 16, promptTokens: 64 },
};

describe("precise-prefix-cache-producer", () => {
  test("writes each endpoint's tier-weighted match from the index", () => {
    const { index } = fakeIndex();
    const producer = create("precise", Params.parse({}), pluginDeps({ prefixIndex: index }));
    const cycle = new MapCycleState();
    producer.produce(withKeys, [endpoint("a"), endpoint("b"), endpoint("c")], cycle);
    const info = cycle.get(PREFIX_MATCH_KEY);
    expect(info?.totalBlocks).toBe(4);
    expect(info?.blockSizeTokens).toBe(16);
    expect([info?.matchedBlocks("a"), info?.matchedBlocks("b"), info?.matchedBlocks("c")]).toEqual([
      2.8, 1, 0,
    ]);
  });

  test("without keys or without an index and with the fallback off it writes an empty match", () => {
    const { index } = fakeIndex();
    const params = Params.parse({ approximateFallback: false });
    for (const [req, deps] of [
      [request({ prompt: "p".repeat(640) }), pluginDeps({ prefixIndex: index })],
      [withKeys, pluginDeps()],
    ] as const) {
      const cycle = new MapCycleState();
      create("precise", params, deps).produce(req, [endpoint("a")], cycle);
      expect(cycle.get(PREFIX_MATCH_KEY)?.totalBlocks).toBe(0);
    }
  });

  test("a request without keys gets the approximate estimate, learned from such requests at pick", () => {
    const { index, speculative } = fakeIndex();
    const producer = create("precise", Params.parse({}), pluginDeps({ prefixIndex: index }));
    const keyless = request({ prompt: "an unkeyed prompt ".repeat(40) });
    const before = new MapCycleState();
    producer.produce(keyless, [endpoint("a"), endpoint("b")], before);
    expect(before.get(PREFIX_MATCH_KEY)?.totalBlocks).toBeGreaterThan(0);
    expect(before.get(PREFIX_MATCH_KEY)?.matchedBlocks("b")).toBe(0);
    producer.preRequest?.(keyless, "b");
    const after = new MapCycleState();
    producer.produce(keyless, [endpoint("a"), endpoint("b")], after);
    const info = after.get(PREFIX_MATCH_KEY);
    expect(info?.matchedBlocks("b")).toBe(info?.totalBlocks);
    expect(info?.matchedBlocks("a")).toBe(0);
    // The keyless pick went to the approximate index, not the KV-event index.
    expect(speculative).toEqual([]);
  });

  test("inserts speculative entries for the picked endpoint, unless turned off", () => {
    const { index, speculative } = fakeIndex();
    create(
      "precise",
      Params.parse({ speculativeTtlMs: 1500 }),
      pluginDeps({ prefixIndex: index }),
    ).preRequest?.(withKeys, "b");
    expect(speculative).toEqual([{ engineId: "b", keys: KEYS, ttlMs: 1500 }]);
    create(
      "precise",
      Params.parse({ speculativeIndexing: false }),
      pluginDeps({ prefixIndex: index }),
    ).preRequest?.(withKeys, "a");
    expect(speculative).toHaveLength(1);
  });

  test("leaves the speculative lifetime to the index when speculativeTtlMs is unset", () => {
    const { index, speculative } = fakeIndex();
    create("precise", Params.parse({}), pluginDeps({ prefixIndex: index })).preRequest?.(withKeys, "b");
    expect(speculative).toEqual([{ engineId: "b", keys: KEYS }]);
  });
});
