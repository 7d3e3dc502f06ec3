// A hot shared prefix sticks to one engine until that engine's queued prefill makes its estimated TTFT
// exceed the best cold engine's by the bound, then spills: the "affinity yields before it hurts" rule.
import { describe, expect, test } from "bun:test";
import type { EndpointSnapshot } from "../../src/pool/index.ts";
import { createScheduler } from "../../src/scheduler/scheduler.ts";
import { createSeededRng } from "../../src/scheduler/seeded-rng.ts";
import { endpoint, NOW_MS, request, schedulerConfig } from "./builders.ts";

// 4096 characters = 64 full blocks; with a 60-character question a prompt has 65 blocks and
// ⌈4156/4⌉ = 1039 tokens. A warm engine holds 64 blocks (1024 tokens): 15 uncached tokens per request.
const SYSTEM = "You are the support assistant for ACME. Answer briefly. ".repeat(74).slice(0, 4096);
const PROMPT_TOKENS = 1039;
const WARM_UNCACHED = 15;
// 1000 tokens/s → 1 ms per token, so TTFT in ms equals queued prefill tokens.
const BOUND_MS = 200;

function run(maxTTFTPenaltyMs: number, requests: number) {
  const created = createScheduler(
    schedulerConfig({
      plugins: [
        {
          type: "prefix-cache-affinity-filter",
          parameters: { peakPrefillThroughput: 1000, maxTTFTPenaltyMs },
        },
        { type: "token-load-scorer" },
      ],
    }),
    { rng: createSeededRng(11), now: () => NOW_MS },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.problems));
  const scheduler = created.scheduler;
  const inFlight = new Map(["e0", "e1", "e2", "e3"].map((id) => [id, 0]));
  // The test's own model of the caches: an engine holds the system prompt once a request went there.
  const warm = new Set<string>();
  const ttftMs = (id: string) => (inFlight.get(id) ?? 0) + (warm.has(id) ? WARM_UNCACHED : PROMPT_TOKENS);
  const picks: { id: string; filtered: number; chosenTtftMs: number; bestTtftMs: number }[] = [];
  for (let n = 1; n <= requests; n++) {
    const pool: EndpointSnapshot[] = [...inFlight].map(([id, prefillTokens]) =>
      endpoint(id, { inFlight: { prefillTokens } }),
    );
    const req = request({ requestId: `r${n}`, prompt: `${SYSTEM}question ${String(n).padStart(51, "0")}` });
    expect(req.promptTokenEstimate).toBe(PROMPT_TOKENS);
    const result = scheduler.schedule(req, pool);
    if (!result.ok) throw new Error(result.message);
    const id = result.endpoint.descriptor.id;
    expect(PROMPT_TOKENS - (result.cachedTokensEstimate ?? 0)).toBe(
      warm.has(id) ? WARM_UNCACHED : PROMPT_TOKENS,
    );
    picks.push({
      id,
      filtered: Object.keys(result.explanation.filteredOut).length,
      chosenTtftMs: ttftMs(id),
      bestTtftMs: Math.min(...[...inFlight.keys()].map(ttftMs)),
    });
    scheduler.onPicked(req, id);
    inFlight.set(id, ttftMs(id));
    warm.add(id);
  }
  return picks;
}

describe("hot-prefix pile-up", () => {
  test("sticks to the warm engine until its TTFT exceeds the best cold one's by the bound, then spills", () => {
    const picks = run(BOUND_MS, 15);
    const hot = picks[0]?.id;
    // Request n (n ≥ 2) finds the hot engine at 1039 + 15(n − 2) queued tokens: warm TTFT − cold TTFT =
    // 15(n − 1) ms, within 200 ms up to n = 14.
    expect(picks.slice(0, 14).every((p) => p.id === hot)).toBe(true);
    expect(picks.slice(1, 14).every((p) => p.filtered === 3)).toBe(true);
    expect(15 * (15 - 1)).toBeGreaterThan(BOUND_MS);
    expect(picks[14]?.id).not.toBe(hot);
    expect(picks[14]?.filtered).toBe(0);
  });

  test("under sustained load every pick stays within the bound of the best engine, and the group spreads", () => {
    const picks = run(BOUND_MS, 200);
    for (const p of picks) expect(p.chosenTtftMs - p.bestTtftMs).toBeLessThanOrEqual(BOUND_MS);
    expect(new Set(picks.map((p) => p.id)).size).toBe(4);
  });

  test("with maxTTFTPenaltyMs 0 (always stick) the whole group piles onto one engine", () => {
    const picks = run(0, 200);
    expect(new Set(picks.map((p) => p.id)).size).toBe(1);
    expect((picks.at(-1)?.chosenTtftMs ?? 0) - (picks.at(-1)?.bestTtftMs ?? 0)).toBeGreaterThan(BOUND_MS);
  });
});
