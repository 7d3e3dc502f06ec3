// Property: whatever the config and pool, no profile picks an endpoint that a filter removed, that is
// unhealthy, or whose circuit is open. Seeded; set SCHEDULER_PROPERTY_SEED to replay a failing case.
import { describe, expect, test } from "bun:test";
import type { EndpointSnapshot } from "../../src/pool/index.ts";
import { createBuiltinRegistry } from "../../src/scheduler/builtin.ts";
import { MapCycleState } from "../../src/scheduler/cycle-state.ts";
import { createScheduler } from "../../src/scheduler/scheduler.ts";
import { createSeededRng } from "../../src/scheduler/seeded-rng.ts";
import type { Filter } from "../../src/scheduler/types.ts";
import { NOW_MS, pluginDeps, schedulerConfig } from "./builders.ts";
import { type Rng, randomPool, randomRequest } from "./random-pool.ts";

const CASES = 1200;
const BASE_SEED = Number(process.env.SCHEDULER_PROPERTY_SEED ?? 7_031_977);

const FILTERS: readonly [string, Record<string, unknown>][] = [
  ["health-filter", {}],
  ["decode-filter", {}],
  ["prefill-filter", {}],
  ["lora-capability-filter", {}],
  ["lora-capability-filter", { allowLoadingOnCapacity: true }],
  ["label-selector-filter", { matchLabels: { zone: "x" } }],
  ["label-selector-filter", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["x"] }] }],
  ["utilization-filter", { conditions: [{ metric: "waiting-queue", maxValue: 15 }] }],
  [
    "utilization-filter",
    { conditions: [{ metric: "active-requests", maxValue: 8 }], fallbackOnEmpty: false },
  ],
  ["prefix-cache-affinity-filter", {}],
  ["prefix-cache-affinity-filter", { maxTTFTPenaltyMs: 0, affinityThreshold: 0.2 }],
];
/** Filters whose verdict on an endpoint does not depend on the other candidates. */
const PER_ENDPOINT_FILTERS = new Set([
  "health-filter",
  "decode-filter",
  "prefill-filter",
  "lora-capability-filter",
  "label-selector-filter",
]);
const SCORERS = createBuiltinRegistry()
  .list()
  .filter((r) => r.kind === "scorer")
  .map((r) => r.type);
const PICKERS = [
  "max-score-picker",
  "random-picker",
  "weighted-random-picker",
  "power-of-two-choices-picker",
  null,
];

function pickSome<T>(rng: Rng, values: readonly T[], max: number): T[] {
  return values.filter(() => rng() < max / values.length);
}

function randomConfig(rng: Rng) {
  const filters = pickSome(rng, FILTERS, 2.5);
  const scorers = pickSome(rng, SCORERS, 3);
  const picker = PICKERS[Math.floor(rng() * PICKERS.length)] ?? null;
  const plugins: { type: string; name?: string; parameters?: Record<string, unknown> }[] = [
    ...filters.map(([type, parameters], i) => ({ type, name: `f${i}`, parameters })),
    ...scorers.map((type) => ({ type })),
    ...(picker === null ? [] : [{ type: picker }]),
  ];
  const refs = plugins.map((p) => ({
    pluginRef: p.name ?? p.type,
    ...(SCORERS.includes(p.type) ? { weight: Math.round(rng() * 5) } : {}),
  }));
  return {
    filters,
    config: schedulerConfig({ plugins, schedulingProfiles: [{ name: "random", plugins: refs }] }),
  };
}

function standalone(type: string, parameters: Record<string, unknown>): Filter {
  const built = createBuiltinRegistry().get(type)?.build(type, parameters, pluginDeps());
  if (built === undefined || !built.ok) throw new Error(`cannot build ${type}`);
  return built.plugin as Filter;
}

describe("scheduling safety property", () => {
  test(`over ${CASES} random configs and pools, never picks a filtered, unhealthy or circuit-open endpoint`, () => {
    let picks = 0;
    for (let i = 0; i < CASES; i++) {
      const seed = BASE_SEED + i;
      const rng = createSeededRng(seed);
      const { filters, config } = randomConfig(rng);
      const created = createScheduler(config, { rng: createSeededRng(seed), now: () => NOW_MS });
      if (!created.ok) throw new Error(`seed ${seed}: config rejected: ${JSON.stringify(created.problems)}`);
      const pool = randomPool(rng);
      for (let r = 0; r < 3; r++) {
        const req = randomRequest(rng, r);
        const result = created.scheduler.schedule(req, pool);
        if (!result.ok) continue;
        picks++;
        const chosen: EndpointSnapshot = result.endpoint;
        const id = chosen.descriptor.id;
        const problem = !pool.includes(chosen)
          ? "not a candidate"
          : !chosen.isHealthy
            ? "unhealthy"
            : chosen.circuit === "open"
              ? "circuit open"
              : id in result.explanation.filteredOut
                ? `removed by ${result.explanation.filteredOut[id]}`
                : filters.find(
                    ([type, params]) =>
                      PER_ENDPOINT_FILTERS.has(type) &&
                      standalone(type, params).filter(req, [chosen], new MapCycleState()).length === 0,
                  )?.[0];
        if (problem !== undefined) {
          throw new Error(`case ${i}: picked ${id}: ${problem}; replay with SCHEDULER_PROPERTY_SEED=${seed}`);
        }
        created.scheduler.onPicked(req, id);
      }
    }
    expect(picks).toBeGreaterThan(CASES);
  });
});
