// Prefix caching through the engine: hits in whole blocks, BlockStored only for new blocks, hashes
// equal to vLLM's chain, and LoRA / cache_salt keys that separate caches.
import { describe, expect, test } from "bun:test";
import { hashBlockChain, toWireInt } from "../../../src/kvcache/block-hash.ts";
import type { BlockHashContext } from "../../../src/kvcache/block-hash-types.ts";
import type { BlockStoredEvent, KvEvent } from "../../../src/kvcache/events/types.ts";
import { createSimEngine } from "../../../src/sim/engine/engine.ts";
import { addOk, engineOptions, runUntilIdle, simRequest, TEST_HASHER, tokenRange } from "./engine-fixture.ts";

const SHARED = tokenRange(1, 64);
const PROMPT_A = [...SHARED, ...tokenRange(1000, 16)];
const PROMPT_B = [...SHARED, ...tokenRange(2000, 16)];

function stored(events: readonly KvEvent[]): BlockStoredEvent[] {
  return events.filter((event): event is BlockStoredEvent => event.type === "BlockStored");
}

function chainInts(tokens: readonly number[], context: BlockHashContext = {}): bigint[] {
  return hashBlockChain(TEST_HASHER, tokens, 16, context).map(toWireInt);
}

describe("prefix caching", () => {
  test("a second request sharing a 4-block prefix hits 64 tokens and stores only its new block", () => {
    const engine = createSimEngine(engineOptions());
    const first = addOk(engine, simRequest("a", PROMPT_A, { maxTokens: 1 }));
    const firstRun = runUntilIdle(engine);
    const second = addOk(engine, simRequest("b", PROMPT_B, { maxTokens: 1 }));
    const secondRun = runUntilIdle(engine, firstRun.endMs);

    expect(first.result?.cachedTokens).toBe(0);
    expect(second.result?.cachedTokens).toBe(64);
    expect(second.result?.computedPromptTokens).toBe(16);

    const [firstStored] = stored(firstRun.events);
    expect(stored(firstRun.events)).toHaveLength(1);
    expect(firstStored?.blockHashes).toEqual(chainInts(PROMPT_A));
    expect(firstStored?.parentBlockHash).toBeNull();
    expect(firstStored?.tokenIds).toEqual(PROMPT_A);
    expect(firstStored?.extraKeys).toEqual([null, null, null, null, null]);
    expect(firstStored).toMatchObject({
      blockSize: 16,
      medium: "GPU",
      groupIdx: 0,
      kvCacheSpecKind: "full_attention",
    });

    const secondStored = stored(secondRun.events);
    expect(secondStored).toHaveLength(1);
    const bChain = chainInts(PROMPT_B);
    expect(secondStored[0]?.blockHashes).toEqual([bChain[4]!]);
    expect(secondStored[0]?.parentBlockHash).toBe(bChain[3]!);
    expect(secondStored[0]?.tokenIds).toEqual(tokenRange(2000, 16));

    const stats = engine.stats();
    expect(stats.prefixCacheQueries).toBe(160);
    expect(stats.prefixCacheHits).toBe(64);
    expect(stats.promptTokensLocalCacheHit).toBe(64);
    expect(stats.promptTokensLocalCompute).toBe(96);
  });

  test("the first block carries the §2.7 reference hash for tokens 1..16", () => {
    const engine = createSimEngine(engineOptions());
    addOk(engine, simRequest("a", tokenRange(1, 17), { maxTokens: 1 }));
    const [event] = stored(runUntilIdle(engine).events);
    expect(event?.blockHashes).toEqual([3236607068019569386n]);
  });

  test("a fully cached prompt still recomputes its last block (the hit stops before the last token)", () => {
    const engine = createSimEngine(engineOptions());
    addOk(engine, simRequest("a", SHARED, { maxTokens: 1 }));
    const firstRun = runUntilIdle(engine);
    const again = addOk(engine, simRequest("b", SHARED, { maxTokens: 1 }));
    const secondRun = runUntilIdle(engine, firstRun.endMs);
    expect(again.result?.cachedTokens).toBe(48);
    expect(secondRun.steps[0]?.scheduledTokens).toBe(16);
    // vLLM commits the recomputed block again, as a second physical copy of the same hash.
    const [event] = stored(secondRun.events);
    const chain = chainInts(SHARED);
    expect(event?.blockHashes).toEqual([chain[3]!]);
    expect(event?.parentBlockHash).toBe(chain[2]!);
  });

  test("generated tokens fill blocks that are committed too", () => {
    const engine = createSimEngine(engineOptions());
    const recorder = addOk(engine, simRequest("a", tokenRange(1, 10), { maxTokens: 30 }));
    const { events } = runUntilIdle(engine);
    // 10 + 30 tokens; KV exists for 39 of them → 2 full blocks.
    const hashes = stored(events).flatMap((event) => event.blockHashes);
    expect(hashes).toEqual(chainInts([...tokenRange(1, 10), ...recorder.tokens].slice(0, 32)));
  });

  test("a LoRA adapter name keys every block and is reported on the event", () => {
    const engine = createSimEngine(engineOptions());
    addOk(engine, simRequest("base", PROMPT_A, { maxTokens: 1 }));
    const baseRun = runUntilIdle(engine);
    const lora = addOk(engine, simRequest("lora", PROMPT_A, { maxTokens: 1, loraName: "sql-adapter" }));
    const [event] = stored(runUntilIdle(engine, baseRun.endMs).events);
    expect(lora.result?.cachedTokens).toBe(0);
    expect(event?.loraName).toBe("sql-adapter");
    expect(event?.extraKeys).toEqual(Array.from({ length: 5 }, () => ["sql-adapter"]));
    expect(event?.blockHashes).toEqual(chainInts(PROMPT_A, { loraName: "sql-adapter" }));
    expect(engine.stats().runningLoras).toEqual([]);
  });

  test("cache_salt keys only the first block and separates caches of different salts", () => {
    const engine = createSimEngine(engineOptions());
    addOk(engine, simRequest("s1", PROMPT_A, { maxTokens: 1, cacheSalt: "tenant-1" }));
    const saltedRun = runUntilIdle(engine);
    const sameSalt = addOk(engine, simRequest("s1b", PROMPT_B, { maxTokens: 1, cacheSalt: "tenant-1" }));
    const otherSalt = addOk(engine, simRequest("s2", PROMPT_A, { maxTokens: 1, cacheSalt: "tenant-2" }));
    const unsalted = addOk(engine, simRequest("none", PROMPT_A, { maxTokens: 1 }));
    runUntilIdle(engine, saltedRun.endMs);

    const [event] = stored(saltedRun.events);
    expect(event?.extraKeys).toEqual([["tenant-1"], null, null, null, null]);
    expect(event?.blockHashes).toEqual(chainInts(PROMPT_A, { cacheSalt: "tenant-1" }));
    expect(sameSalt.result?.cachedTokens).toBe(64);
    expect(otherSalt.result?.cachedTokens).toBe(0);
    expect(unsalted.result?.cachedTokens).toBe(0);
  });

  test("raw digests travel as bytes when int block hashes are off", () => {
    const engine = createSimEngine(engineOptions({ useIntBlockHashes: false }));
    addOk(engine, simRequest("a", PROMPT_A, { maxTokens: 1 }));
    const [event] = stored(runUntilIdle(engine).events);
    expect(event?.blockHashes).toEqual(hashBlockChain(TEST_HASHER, PROMPT_A, 16, {}));
  });

  test("with prefix caching off nothing is hashed, hit or published", () => {
    const engine = createSimEngine(engineOptions({ enablePrefixCaching: false }));
    addOk(engine, simRequest("a", PROMPT_A, { maxTokens: 1 }));
    const firstRun = runUntilIdle(engine);
    const second = addOk(engine, simRequest("b", PROMPT_A, { maxTokens: 1 }));
    const secondRun = runUntilIdle(engine, firstRun.endMs);
    expect(second.result?.cachedTokens).toBe(0);
    expect([...firstRun.events, ...secondRun.events]).toEqual([]);
    expect(engine.stats().prefixCacheQueries).toBe(0);
  });

  test("resetPrefixCache clears idle caches with AllBlocksCleared and refuses while blocks are in use", () => {
    const engine = createSimEngine(engineOptions());
    addOk(engine, simRequest("a", PROMPT_A, { maxTokens: 1 }));
    const firstRun = runUntilIdle(engine);
    expect(engine.resetPrefixCache()).toBe(true);
    expect(engine.takeEvents()).toEqual([{ type: "AllBlocksCleared" }]);
    const again = addOk(engine, simRequest("b", PROMPT_A, { maxTokens: 1 }));
    engine.completeStep(engine.planStep(firstRun.endMs)!);
    expect(again.result?.cachedTokens).toBe(0);

    addOk(engine, simRequest("c", PROMPT_B, { maxTokens: 8 }));
    engine.planStep(firstRun.endMs + 10);
    expect(engine.resetPrefixCache()).toBe(false);
  });
});
