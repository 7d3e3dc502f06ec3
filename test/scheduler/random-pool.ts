// Seeded random pools, requests and prefix matches for the conformance suite and the property test.
import type { EndpointSnapshot } from "../../src/pool/index.ts";
import type { SchedulingRequest } from "../../src/scheduler/types.ts";
import { endpoint, NOW_MS, request } from "./builders.ts";

export type Rng = () => number;

function int(rng: Rng, max: number): number {
  return Math.floor(rng() * max);
}

function oneOf<T>(rng: Rng, values: readonly T[]): T {
  return values[int(rng, values.length)] as T;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** 1–12 endpoints with random health, circuit, roles, labels, LoRA state, metrics (incl. stale/absent) and load. */
export function randomPool(rng: Rng, size = 1 + int(rng, 12)): EndpointSnapshot[] {
  return Array.from({ length: size }, (_, i) => {
    const metricsKind = int(rng, 5);
    const runningLoras = rng() < 0.5 ? [] : [oneOf(rng, ["sql", "chat", "x"])];
    return deepFreeze(
      endpoint(`e${i}`, {
        isHealthy: rng() > 0.15,
        circuit: oneOf(rng, ["closed", "closed", "closed", "open", "half-open"] as const),
        role: oneOf(rng, ["both", "prefill", "decode"] as const),
        labels:
          rng() < 0.5
            ? {}
            : { zone: oneOf(rng, ["x", "y"]), ...(rng() < 0.3 ? { "llm-d.ai/role": "decode" } : {}) },
        loraAdapters: rng() < 0.3 ? ["sql"] : [],
        inFlight: { requests: int(rng, 20), prefillTokens: int(rng, 60_000), decodeTokens: int(rng, 5000) },
        metrics:
          metricsKind === 0
            ? null
            : {
                waitingRequests: int(rng, 30),
                runningRequests: int(rng, 64),
                kvUsageRatio: rng(),
                blockSize: rng() < 0.5 ? 16 : null,
                numGpuBlocks: rng() < 0.5 ? 1 + int(rng, 5000) : null,
                runningLoras,
                waitingLoras: rng() < 0.3 ? ["sql"] : [],
                maxLoras: rng() < 0.7 ? 1 + int(rng, 3) : null,
                scrapedAtMs: metricsKind === 1 ? NOW_MS - 10_000 : NOW_MS - int(rng, 500),
              },
      }),
    );
  });
}

const SHARED_PREFIXES = [
  "You are a helpful assistant. ".repeat(20),
  "Summarise the document. ".repeat(30),
  "",
];

/** A frozen request with a random shared prefix, optional LoRA and session header. */
export function randomRequest(rng: Rng, id: number): SchedulingRequest {
  const prompt = oneOf(rng, SHARED_PREFIXES) + "q".repeat(int(rng, 400)) + String(int(rng, 5));
  const headers: Record<string, string> = rng() < 0.5 ? { "x-session-id": `s${int(rng, 4)}` } : {};
  return deepFreeze(
    request({
      requestId: `r${id}`,
      prompt,
      loraName: rng() < 0.3 ? oneOf(rng, ["sql", "chat"]) : null,
      headers,
    }),
  );
}

/** Random matched blocks per endpoint (≤ total). */
export function randomMatches(
  rng: Rng,
  pool: readonly EndpointSnapshot[],
  totalBlocks: number,
): Record<string, number> {
  return Object.fromEntries(pool.map((e) => [e.descriptor.id, rng() < 0.5 ? 0 : int(rng, totalBlocks + 1)]));
}
