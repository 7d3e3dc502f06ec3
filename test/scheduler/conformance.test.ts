// One conformance suite for every registered plugin: the shared rules of its kind, over seeded random
// pools and requests. A new plugin type is covered the moment it is registered in builtin.ts.
import { describe, expect, test } from "bun:test";
import type { EndpointSnapshot } from "../../src/pool/index.ts";
import { createBuiltinRegistry } from "../../src/scheduler/builtin.ts";
import { MapCycleState } from "../../src/scheduler/cycle-state.ts";
import { PREFIX_MATCH_KEY } from "../../src/scheduler/data-keys.ts";
import type { PluginRegistration } from "../../src/scheduler/registry.ts";
import { createSeededRng } from "../../src/scheduler/seeded-rng.ts";
import type {
  AnyPlugin,
  CycleState,
  Filter,
  PdDecider,
  Picker,
  Producer,
  ProfileHandler,
  Scorer,
} from "../../src/scheduler/types.ts";
import { NOW_MS, pluginDeps, prefixCycle } from "./builders.ts";
import { randomMatches, randomPool, randomRequest } from "./random-pool.ts";

const CASES = 300;
const SEED = 20240501;

/** Parameter sets per type; types with required parameters must be listed. */
const PARAM_VARIANTS: Record<string, readonly unknown[]> = {
  "utilization-filter": [
    { conditions: [{ metric: "waiting-queue", maxValue: 10 }] },
    {
      conditions: [
        { metric: "kv-cache-utilization", maxValue: 0.5 },
        { metric: "active-requests", maxValue: 5 },
      ],
      fallbackOnEmpty: false,
    },
  ],
  "label-selector-filter": [
    {},
    { matchLabels: { zone: "x" } },
    { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["y"] }] },
  ],
  "prefix-cache-affinity-filter": [
    {},
    { maxTTFTPenaltyMs: 0, affinityThreshold: 0.3 },
    { explorationProbability: 0.5 },
  ],
  "lora-capability-filter": [{}, { allowLoadingOnCapacity: true }],
  "active-request-scorer": [{}, { idleThreshold: 3, maxBusyScore: 0.5 }],
  "prefix-cache-scorer": [{}, { matchLengthWeight: 0.7, matchLengthScaleTokens: 64 }],
  "token-load-scorer": [{}, { queueThresholdTokens: 10_000 }],
  "disagg-profile-handler": [
    {},
    { deciders: { prefill: "d" } },
    { profiles: { decode: "default", prefill: "only" }, deciders: { prefill: "d" } },
  ],
  "prefix-based-pd-decider": [
    {},
    { nonCachedTokens: 0 },
    { nonCachedTokens: 16, maxDecodeCachedFraction: 1 },
  ],
};

const registrations = createBuiltinRegistry().list();

function instances(registration: PluginRegistration, seed: number): AnyPlugin[] {
  return (PARAM_VARIANTS[registration.type] ?? [{}]).map((params) => {
    const built = registration.build(
      `${registration.type}-under-test`,
      params,
      pluginDeps({ rng: createSeededRng(seed) }),
    );
    if (!built.ok) throw new Error(`${registration.type}: ${JSON.stringify(built.issues)}`);
    return built.plugin;
  });
}

/** Seeded cases: a frozen pool, a frozen request and a cycle holding a random prefix match. */
function* cases(
  seed: number,
): Generator<{ pool: EndpointSnapshot[]; cycle: () => CycleState; index: number }> {
  const rng = createSeededRng(seed);
  for (let index = 0; index < CASES; index++) {
    const pool = randomPool(rng);
    const total = Math.floor(rng() * 20);
    const matches = randomMatches(rng, pool, total);
    yield { pool, cycle: () => prefixCycle(total, matches), index };
  }
}

function failMessage(type: string, index: number): string {
  return `${type} failed at case ${index} (seed ${SEED})`;
}

describe.each(registrations.map((r) => [r.type, r] as const))("conformance: %s", (type, registration) => {
  test("is built with its registered type and the given name; its params schema is strict", () => {
    for (const plugin of instances(registration, 1))
      expect(plugin.typedName).toEqual({ type, name: `${type}-under-test` });
    expect(registration.params.safeParse({ surelyNotAParameter: 1 }).success).toBe(false);
  });

  if (registration.kind === "scorer") {
    test("scores every input endpoint in [0,1], deterministically", () => {
      const [first, second] = [instances(registration, 5), instances(registration, 5)];
      for (const { pool, cycle, index } of cases(SEED)) {
        const req = randomRequest(createSeededRng(index), index);
        first.forEach((plugin, v) => {
          const a = new Float64Array(pool.length).fill(Number.NaN);
          const b = new Float64Array(pool.length).fill(Number.NaN);
          (plugin as Scorer).score(req, pool, cycle(), a);
          (second[v] as Scorer).score(req, pool, cycle(), b);
          for (const value of a) {
            if (!(value >= 0 && value <= 1)) throw new Error(`${failMessage(type, index)}: score ${value}`);
          }
          expect([...a], failMessage(type, index)).toEqual([...b]);
        });
      }
    });
  }

  if (registration.kind === "filter") {
    test("returns an order-preserving subset of its input, deterministically", () => {
      const [first, second] = [instances(registration, 5), instances(registration, 5)];
      for (const { pool, cycle, index } of cases(SEED)) {
        const req = randomRequest(createSeededRng(index), index);
        first.forEach((plugin, v) => {
          const kept = (plugin as Filter).filter(req, pool, cycle());
          let cursor = 0;
          for (const endpoint of kept) {
            while (cursor < pool.length && pool[cursor] !== endpoint) cursor++;
            if (cursor === pool.length) throw new Error(`${failMessage(type, index)}: not an ordered subset`);
            cursor++;
          }
          expect(kept, failMessage(type, index)).toEqual((second[v] as Filter).filter(req, pool, cycle()));
        });
      }
    });
  }

  if (registration.kind === "picker") {
    test("returns the index of a candidate, deterministically for a fixed rng", () => {
      const [first, second] = [instances(registration, 5), instances(registration, 5)];
      const rng = createSeededRng(SEED);
      for (const { pool, index } of cases(SEED)) {
        const totals = Float64Array.from(pool, () => (rng() < 0.2 ? 0 : Math.round(rng() * 4)));
        first.forEach((plugin, v) => {
          const picked = (plugin as Picker).pick(pool, totals);
          expect(
            Number.isInteger(picked) && picked >= 0 && picked < pool.length,
            failMessage(type, index),
          ).toBe(true);
          expect(picked, failMessage(type, index)).toBe((second[v] as Picker).pick(pool, totals));
        });
      }
    });
  }

  if (registration.kind === "producer") {
    test("writes every key it declares, with matches within the request's blocks", () => {
      for (const plugin of instances(registration, 5)) {
        const producer = plugin as Producer;
        for (const { pool, index } of cases(SEED)) {
          const req = randomRequest(createSeededRng(index), index);
          const cycle = new MapCycleState();
          producer.produce(req, pool, cycle);
          for (const key of producer.produces) expect(cycle.get(key), failMessage(type, index)).toBeDefined();
          const info = cycle.get(PREFIX_MATCH_KEY);
          for (const endpoint of pool) {
            const matched = info?.matchedBlocks(endpoint.descriptor.id) ?? 0;
            expect(matched >= 0 && matched <= (info?.totalBlocks ?? 0), failMessage(type, index)).toBe(true);
          }
          producer.preRequest?.(req, pool[0]?.descriptor.id ?? "e0", cycle);
        }
      }
    });
  }

  if (registration.kind === "profile-handler") {
    test("picks only known profiles and makes primary only a profile with a result", () => {
      for (const plugin of instances(registration, 5)) {
        const handler = plugin as ProfileHandler;
        const context = { decide: () => true };
        for (const profiles of [["only"], ["decode", "prefill"], ["default"]]) {
          const req = randomRequest(createSeededRng(1), 1);
          const first = handler.pick(req, profiles, new Map(), context);
          expect(first.every((name) => profiles.includes(name))).toBe(true);
          const results = new Map(first.map((name) => [name, null]));
          expect(handler.processResults(req, results)).toBeNull();
          expect(handler.pick(req, profiles, results, context)).toEqual([]);
          expect(handler.prefillProfile?.(req, results) ?? null).toBeNull();
        }
      }
    });
  }

  if (registration.kind === "decider") {
    test("answers a boolean for any decode endpoint, deterministically", () => {
      const [first, second] = [instances(registration, 5), instances(registration, 5)];
      for (const { pool, cycle, index } of cases(SEED)) {
        const req = randomRequest(createSeededRng(index), index);
        first.forEach((plugin, v) => {
          for (const decode of pool) {
            const answer = (plugin as PdDecider).disaggregate(req, decode, cycle());
            expect(typeof answer, failMessage(type, index)).toBe("boolean");
            expect(answer, failMessage(type, index)).toBe(
              (second[v] as PdDecider).disaggregate(req, decode, cycle()),
            );
          }
        });
      }
    });
  }
});

test("the generated pools exercise stale, absent and fresh metrics", () => {
  const kinds = new Set<string>();
  for (const { pool } of cases(SEED)) {
    for (const e of pool)
      kinds.add(e.metrics === null ? "absent" : NOW_MS - e.metrics.scrapedAtMs > 2000 ? "stale" : "fresh");
  }
  expect([...kinds].sort()).toEqual(["absent", "fresh", "stale"]);
});
