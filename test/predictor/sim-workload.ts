// A sim-driven workload for the predictor tests: one simulated vLLM engine (the sim's step-cost model)
// driven in virtual time by Poisson arrivals. Phases alternate two llm-d-benchmark shapes (§8.2):
// shared_prefix_synthetic (32 groups × 32 prompts, system 2048, question 256, output 256, rates 2–20) and
// chatbot_synthetic (ISL ~N(4096, 2048), OSL ~N(1024, 512), rates 1–5, the top one past what one engine serves).
// Each request yields the features a gateway would have seen at arrival and the TTFT/TPOT it got; the
// cached-token estimate comes from the engine's KV events, as llmux's KV-event-fed prefix index sees it.
import { createBlockHasher, hashBlockChain, toWireInt, wireHashToBigInt } from "../../src/kvcache/index.ts";
import type { LatencyFeatures, LatencySample } from "../../src/predictor/index.ts";
import { createSimEngine, getSimProfile, type SimEngine, type SimStep } from "../../src/sim/index.ts";

export interface SimWorkloadOptions {
  readonly requests: number;
  readonly seed: number;
  readonly scrapeIntervalMs?: number;
}

type Shape = "shared-prefix" | "chatbot";

const BLOCK = 16;
const PHASE_MS = 10_000;
const PHASES: readonly { readonly shape: Shape; readonly rate: number }[] = [
  { shape: "shared-prefix", rate: 2 },
  { shape: "chatbot", rate: 1 },
  { shape: "shared-prefix", rate: 5 },
  { shape: "chatbot", rate: 2 },
  { shape: "shared-prefix", rate: 8 },
  { shape: "chatbot", rate: 3 },
  { shape: "shared-prefix", rate: 10 },
  { shape: "chatbot", rate: 5 },
  { shape: "shared-prefix", rate: 12 },
  { shape: "shared-prefix", rate: 15 },
  { shape: "shared-prefix", rate: 20 },
];

interface Live {
  readonly arrivalMs: number;
  readonly features: LatencyFeatures;
  readonly uncached: number;
  remainingOutput: number;
  firstTokenMs: number | null;
  tokens: number;
}

interface Pending {
  readonly atMs: number;
  readonly id: string;
  readonly prompt: readonly number[];
  readonly maxTokens: number;
}

/** Samples in completion order. Deterministic for a seed. */
export async function simWorkload(options: SimWorkloadOptions): Promise<LatencySample[]> {
  const profile = getSimProfile("h100-llama3-8b");
  if (profile === undefined) throw new Error("sim profile h100-llama3-8b is missing");
  const hasher = await createBlockHasher("sha256_cbor", "0");
  const engine = createSimEngine({
    profile,
    blockSize: BLOCK,
    numGpuBlocks: profile.gpuBlocks,
    numCpuBlocks: 0,
    maxNumSeqs: 256,
    maxNumBatchedTokens: 8192,
    maxModelLen: 32_768,
    enablePrefixCaching: true,
    schedulingPolicy: "fcfs",
    hasher,
    useIntBlockHashes: true,
    emitKvEvents: true,
    dataParallelRank: 0,
    seed: options.seed,
  });
  const rng = mulberry32(options.seed);
  const scrapeMs = options.scrapeIntervalMs ?? 100;
  const chains = new Map<string, bigint[]>();
  const storedBlocks = new Set<bigint>();
  const live = new Map<string, Live>();
  const samples: LatencySample[] = [];
  const toEngine: Pending[] = [];
  let scraped = { waiting: 0, running: 0, kv: 0 };
  let nowMs = 0;
  let nextArrivalMs = 0;
  let nextScrapeMs = 0;
  let arrived = 0;
  let step: SimStep | null = null;

  /** Blocks of `prompt` the engine holds, counted from the start (what a KV-event index answers). */
  function cachedTokensOf(key: string, prompt: readonly number[]): number {
    let chain = chains.get(key);
    if (chain === undefined) {
      chain = hashBlockChain(hasher, prompt, BLOCK, {}).map((digest) => toWireInt(digest));
      chains.set(key, chain);
    }
    let blocks = 0;
    while (blocks < chain.length && storedBlocks.has(chain[blocks] as bigint)) blocks++;
    return blocks * BLOCK;
  }

  function arrive(shape: Shape): void {
    const id = `r${arrived++}`;
    let prompt: number[];
    let maxTokens: number;
    let cached = 0;
    if (shape === "shared-prefix") {
      const group = Math.floor(rng() * 32);
      const question = Math.floor(rng() * 32);
      prompt = [
        ...range(1_000_000 * (group + 1), 2048),
        ...range(1_000_000 * (group + 1) + 10_000 * (question + 1), 256),
      ];
      maxTokens = 256;
      cached = cachedTokensOf(`${group}/${question}`, prompt);
    } else {
      const length = Math.round(clamp(normal(rng, 4096, 2048), 10, 8192));
      prompt = Array.from({ length }, () => 1000 + Math.floor(rng() * 60_000));
      maxTokens = Math.round(clamp(normal(rng, 1024, 512), 10, 2048));
    }
    let prefillAhead = 0;
    let decodeAhead = 0;
    for (const other of live.values()) {
      if (other.firstTokenMs === null) prefillAhead += other.uncached;
      decodeAhead += other.remainingOutput;
    }
    const features: LatencyFeatures = {
      kvUsageRatio: scraped.kv,
      waitingRequests: scraped.waiting,
      runningRequests: scraped.running,
      inFlightRequests: live.size,
      inFlightPrefillTokens: prefillAhead,
      inFlightDecodeTokens: decodeAhead,
      inputTokens: prompt.length,
      cachedTokens: cached,
      outputTokens: maxTokens,
      role: "both",
    };
    live.set(id, {
      arrivalMs: nowMs,
      features,
      uncached: prompt.length - cached,
      remainingOutput: maxTokens,
      firstTokenMs: null,
      tokens: 0,
    });
    // The sim server's HTTP + tokenize time passes before the engine sees the request.
    toEngine.push({ atMs: nowMs + (profile?.apiOverheadMs ?? 0), id, prompt, maxTokens });
  }

  function submit(entry: Pending): void {
    const state = live.get(entry.id) as Live;
    const refused = engine.add(
      {
        id: entry.id,
        promptTokenIds: entry.prompt,
        maxTokens: entry.maxTokens,
        minTokens: 0,
        ignoreEos: true,
        eosTokenId: null,
        stopTokenIds: [],
        loraName: null,
        cacheSalt: null,
        priority: 0,
        seed: null,
      },
      {
        onToken(_token, timeMs) {
          if (state.firstTokenMs === null) state.firstTokenMs = timeMs;
          state.tokens++;
          state.remainingOutput = Math.max(0, state.remainingOutput - 1);
        },
        onFinish(_result, timeMs) {
          live.delete(entry.id);
          const first = state.firstTokenMs ?? timeMs;
          samples.push({
            features: state.features,
            ttftMs: first - state.arrivalMs,
            tpotMs: state.tokens >= 2 ? (timeMs - first) / (state.tokens - 1) : null,
          });
        },
      },
      entry.atMs,
    );
    if (refused !== null) throw new Error(`sim refused ${entry.id}: ${refused.kind}`);
  }

  while (samples.length < options.requests) {
    if (step === null && engine.hasWork()) step = engine.planStep(nowMs);
    const stepEndMs = step === null ? Number.POSITIVE_INFINITY : step.startMs + step.durationMs;
    const addMs = toEngine[0]?.atMs ?? Number.POSITIVE_INFINITY;
    const arrivalMs = arrived < options.requests ? nextArrivalMs : Number.POSITIVE_INFINITY;
    nowMs = Math.min(stepEndMs, addMs, arrivalMs, nextScrapeMs);
    if (step !== null && nowMs === stepEndMs) {
      engine.completeStep(step);
      step = null;
      applyEvents(engine, storedBlocks);
    } else if (nowMs === addMs) submit(toEngine.shift() as Pending);
    else if (nowMs === arrivalMs) {
      const phase = PHASES[Math.floor(nowMs / PHASE_MS) % PHASES.length] as (typeof PHASES)[number];
      arrive(phase.shape);
      nextArrivalMs = nowMs - Math.log(1 - rng()) * (1000 / phase.rate);
    } else {
      const stats = engine.stats();
      scraped = { waiting: stats.waiting, running: stats.running, kv: stats.kvUsage };
      nextScrapeMs = nowMs + scrapeMs;
    }
  }
  return samples;
}

function applyEvents(engine: SimEngine, stored: Set<bigint>): void {
  for (const event of engine.takeEvents()) {
    if (event.type === "AllBlocksCleared") stored.clear();
    else if (event.type === "BlockStored")
      for (const hash of event.blockHashes) stored.add(wireHashToBigInt(hash));
    else for (const hash of event.blockHashes) stored.delete(wireHashToBigInt(hash));
  }
}

function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Box–Muller draw from N(mean, sd). */
function normal(rng: () => number, mean: number, sd: number): number {
  return mean + sd * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
