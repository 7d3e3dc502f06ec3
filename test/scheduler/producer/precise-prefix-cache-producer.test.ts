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

  test("without keys or without an index it writes an empty match", () => {
    const { index } = fakeIndex();
    for (const [req, deps] of [
      [request({ promptTokenEstimate: 64 }), pluginDeps({ prefixIndex: index })],
      [withKeys, pluginDeps()],
    ] as const) {
      const cycle = new MapCycleState();
      create("precise", Params.parse({}), deps).produce(req, [endpoint("a")], cycle);
      expect(cycle.get(PREFIX_MATCH_KEY)?.totalBlocks).toBe(0);
    }
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
});
