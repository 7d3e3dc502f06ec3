// Shared test fixture for the simulated engine: options on the tiny-cpu profile, the real
// sha256_cbor hasher (PYTHONHASHSEED "0"), request builders, token recorders and a virtual-time runner.
import { createBlockHasher } from "../../../src/kvcache/block-hash.ts";
import type { BlockHasher } from "../../../src/kvcache/block-hash-types.ts";
import type { KvEvent } from "../../../src/kvcache/events/types.ts";
import { getSimProfile } from "../../../src/sim/engine/profiles.ts";
import type {
  SimEngine,
  SimEngineOptions,
  SimProfile,
  SimRequest,
  SimRequestCallbacks,
  SimRequestResult,
  SimStep,
} from "../../../src/sim/engine/types.ts";

export const TEST_HASHER: BlockHasher = await createBlockHasher("sha256_cbor", "0");

export function profile(name: string): SimProfile {
  const found = getSimProfile(name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
}

export function engineOptions(overrides: Partial<SimEngineOptions> = {}): SimEngineOptions {
  return {
    profile: profile("tiny-cpu"),
    blockSize: 16,
    numGpuBlocks: 256,
    numCpuBlocks: 0,
    maxNumSeqs: 256,
    maxNumBatchedTokens: 2048,
    maxModelLen: 4096,
    enablePrefixCaching: true,
    schedulingPolicy: "fcfs",
    hasher: TEST_HASHER,
    useIntBlockHashes: true,
    emitKvEvents: true,
    dataParallelRank: 0,
    seed: 7,
    ...overrides,
  };
}

export function simRequest(
  id: string,
  promptTokenIds: readonly number[],
  overrides: Partial<SimRequest> = {},
): SimRequest {
  return {
    id,
    promptTokenIds,
    maxTokens: 4,
    minTokens: 0,
    ignoreEos: true,
    eosTokenId: null,
    stopTokenIds: [],
    loraName: null,
    cacheSalt: null,
    priority: 0,
    seed: null,
    ...overrides,
  };
}

/** Tokens `start`, `start + 1`, ... (`length` of them). */
export function tokenRange(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i);
}

/** Records what the engine reports for one request. */
export class Recorder implements SimRequestCallbacks {
  readonly tokens: number[] = [];
  readonly tokenTimesMs: number[] = [];
  result: SimRequestResult | null = null;
  finishMs: number | null = null;
  scheduledMs: number | null = null;

  onToken(tokenId: number, timeMs: number): void {
    this.tokens.push(tokenId);
    this.tokenTimesMs.push(timeMs);
  }

  onFinish(result: SimRequestResult, timeMs: number): void {
    this.result = result;
    this.finishMs = timeMs;
  }

  onScheduled(timeMs: number): void {
    this.scheduledMs = timeMs;
  }
}

export interface RunLog {
  readonly steps: SimStep[];
  readonly events: KvEvent[];
  readonly endMs: number;
}

/** Steps the engine in virtual time until planStep returns null (or `maxSteps`). */
export function runUntilIdle(engine: SimEngine, startMs = 0, maxSteps = 100_000): RunLog {
  const steps: SimStep[] = [];
  const events: KvEvent[] = [...engine.takeEvents()];
  let nowMs = startMs;
  for (let i = 0; i < maxSteps; i++) {
    const step = engine.planStep(nowMs);
    if (step === null) break;
    engine.completeStep(step);
    steps.push(step);
    events.push(...engine.takeEvents());
    nowMs = step.startMs + step.durationMs;
  }
  return { steps, events, endMs: nowMs };
}

/** Adds a request that must be accepted, returning its recorder. */
export function addOk(engine: SimEngine, request: SimRequest, nowMs = 0): Recorder {
  const recorder = new Recorder();
  const refused = engine.add(request, recorder, nowMs);
  if (refused !== null) throw new Error(`request ${request.id} refused: ${refused.kind}`);
  return recorder;
}
