// One conformance suite for every registered flow policy: the shared rules of its kind over seeded
// random flows, items and pools. A new policy is covered the moment it is registered in flow/builtin.ts.
import { describe, expect, test } from "bun:test";
import {
  type Admitter,
  createBuiltinFlowRegistry,
  type FairnessPolicy,
  type FlowView,
  type OrderingPolicy,
  type QueuedItem,
  type SaturationDetector,
} from "../../src/flow/index.ts";
import { createSeededRng } from "../../src/scheduler/index.ts";
import { endpoint, request } from "./builders.ts";

const SEED = 77;
const CASES = 200;
const NOW = 50_000;
const deps = { now: () => NOW, estimateLatency: () => ({ ttftMs: 100, tpotMs: 10 }) };

function randomItem(rng: () => number, seq: number): QueuedItem {
  const enqueuedAtMs = NOW - Math.floor(rng() * 5000);
  return {
    request: request({
      fairnessId: `f${Math.floor(rng() * 4)}`,
      priority: Math.floor(rng() * 3) - 1,
      slo: { ttftMs: rng() < 0.5 ? null : 10 + Math.floor(rng() * 500), tpotMs: rng() < 0.5 ? null : 20 },
    }),
    enqueuedAtMs,
    deadlineMs: enqueuedAtMs + Math.floor(rng() * 10_000),
    seq,
  };
}

function randomPool(rng: () => number) {
  return Array.from({ length: Math.floor(rng() * 5) }, (_, i) =>
    endpoint(`e${i}`, rng() < 0.2 ? NOW - 1000 : NOW, {
      metrics: rng() < 0.1 ? null : { waitingRequests: Math.floor(rng() * 20), kvUsageRatio: rng() },
      inFlight: { requests: Math.floor(rng() * 50), prefillTokens: Math.floor(rng() * 1e6), decodeTokens: 0 },
      isHealthy: rng() > 0.1,
    }),
  );
}

describe.each(
  createBuiltinFlowRegistry()
    .list()
    .map((r) => [r.type, r] as const),
)("flow conformance: %s", (type, registration) => {
  function build() {
    const built = registration.build(`${type}-under-test`, {}, deps);
    if (!built.ok) throw new Error(`${type}: ${JSON.stringify(built.issues)}`);
    return built.policy;
  }

  test("builds with defaults under its type and name; its params schema is strict", () => {
    expect(build().typedName).toEqual({ type, name: `${type}-under-test` });
    expect(registration.params.safeParse({ surelyNotAParameter: 1 }).success).toBe(false);
  });

  if (registration.kind === "fairness") {
    test("picks an index of a given flow", () => {
      const policy = build() as FairnessPolicy;
      const rng = createSeededRng(SEED);
      for (let c = 0; c < CASES; c++) {
        const flows: FlowView[] = Array.from({ length: 1 + Math.floor(rng() * 6) }, (_, i) => {
          const head = randomItem(rng, c * 10 + i);
          return { fairnessId: `f${i}`, size: 1, head: () => head };
        });
        const picked = policy.pick(flows, NOW);
        expect(
          Number.isInteger(picked) && picked >= 0 && picked < flows.length,
          `seed ${SEED} case ${c}`,
        ).toBe(true);
        policy.onDispatch?.(flows[picked]?.head() as QueuedItem, NOW);
      }
    });
  }

  if (registration.kind === "ordering") {
    test("is a consistent order: antisymmetric, reflexive zero, ties broken so distinct items never compare 0", () => {
      const policy = build() as OrderingPolicy;
      const rng = createSeededRng(SEED);
      const items = Array.from({ length: CASES }, (_, i) => randomItem(rng, i));
      for (const a of items.slice(0, 40)) {
        expect(policy.compare(a, a)).toBe(0);
        for (const b of items) {
          if (a === b) continue;
          const ab = policy.compare(a, b);
          expect(ab !== 0 && Math.sign(ab) === -Math.sign(policy.compare(b, a)), `seed ${SEED}`).toBe(true);
        }
      }
    });
  }

  if (registration.kind === "saturation") {
    test("reports a finite, non-negative saturation; an empty pool is saturated", () => {
      const detector = build() as SaturationDetector;
      const rng = createSeededRng(SEED);
      for (let c = 0; c < CASES; c++) {
        const value = detector.saturation(
          randomPool(rng),
          { requests: Math.floor(rng() * 100), tokens: 0 },
          NOW,
        );
        expect(Number.isFinite(value) && value >= 0, `seed ${SEED} case ${c}`).toBe(true);
      }
      expect(detector.saturation([], { requests: 0, tokens: 0 }, NOW)).toBeGreaterThanOrEqual(1);
    });
  }

  if (registration.kind === "admitter") {
    test("answers a boolean and always admits non-sheddable requests", () => {
      const admitter = build() as Admitter;
      const rng = createSeededRng(SEED);
      for (let c = 0; c < CASES; c++) {
        const item = randomItem(rng, c);
        const answer = admitter.admit(item.request, randomPool(rng));
        expect(typeof answer).toBe("boolean");
        if (item.request.priority >= 0) expect(answer, `seed ${SEED} case ${c}`).toBe(true);
      }
    });
  }
});
