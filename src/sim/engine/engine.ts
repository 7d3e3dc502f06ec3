// createSimEngine: the public SimEngine over EngineCore. Pure: time arrives as `nowMs` arguments and
// randomness from seeded streams, so the HTTP server and the discrete-event benchmark share it.
import type { KvEvent } from "../../kvcache/index.ts";
import { EngineCore } from "./engine-core.ts";
import { snapshotStats } from "./engine-stats.ts";
import { createRequestState, numTokens, type RequestState } from "./request-state.ts";
import { planSchedule } from "./scheduler.ts";
import type {
  SimAdmitError,
  SimEngine,
  SimEngineOptions,
  SimEngineStats,
  SimRequest,
  SimRequestCallbacks,
  SimStep,
} from "./types.ts";

export function createSimEngine(options: SimEngineOptions): SimEngine {
  const core = new EngineCore(options);
  return {
    options,
    add: (request, callbacks, nowMs) => addRequest(core, request, callbacks, nowMs),
    abort: (id, nowMs) => abortRequest(core, id, nowMs),
    transferDone: (id, ok, nowMs) => transferDone(core, id, ok, nowMs),
    releaseHeld: (id) => releaseHeld(core, id),
    planStep: (nowMs) => planStep(core, nowMs),
    completeStep: (step) => completeStep(core, step),
    hasWork: () => core.running.length > 0 || core.waiting.size > 0 || core.deferred.size > 0,
    stats: (): SimEngineStats =>
      snapshotStats({
        counters: core.counters,
        kv: core.kv,
        running: core.running,
        waiting: core.waiting,
        deferred: core.deferred,
        numGpuBlocks: options.numGpuBlocks,
        numCpuBlocks: core.kv.cpu === null ? 0 : options.numCpuBlocks,
      }),
    takeEvents: (): KvEvent[] => core.kv.events.take(),
    resetPrefixCache: () => core.kv.reset(),
  };
}

function addRequest(
  core: EngineCore,
  request: SimRequest,
  callbacks: SimRequestCallbacks,
  _nowMs: number,
): SimAdmitError | null {
  if (core.byId.has(request.id)) return { kind: "duplicate_id" };
  const promptTokens = request.promptTokenIds.length;
  // The server rejects empty prompts at its boundary, as vLLM's input processor does.
  if (promptTokens === 0) throw new RangeError(`request ${request.id}: empty prompt`);
  // At least one output token must fit (vLLM rejects prompts that fill max_model_len).
  if (promptTokens >= core.maxModelLen) {
    return { kind: "prompt_too_long", promptTokens, maxModelLen: core.maxModelLen };
  }
  const state = createRequestState({
    request,
    callbacks,
    arrivalSeq: core.nextArrivalSeq(),
    engineSeed: core.options.seed,
    maxModelLen: core.maxModelLen,
    sample: core.sample,
  });
  core.byId.set(request.id, state);
  core.waiting.push(state);
  return null;
}

function abortRequest(core: EngineCore, id: string, nowMs: number): void {
  const state = core.byId.get(id);
  if (state === undefined) return;
  if (state.phase === "waiting") core.waiting.remove(state);
  else if (state.phase === "running") core.running.splice(core.running.indexOf(state), 1);
  core.finish(state, "abort", nowMs);
}

function transferDone(core: EngineCore, id: string, ok: boolean, nowMs: number): void {
  const state = core.byId.get(id);
  if (state === undefined || (state.transfer !== "awaiting" && state.transfer !== "ok")) return;
  state.transfer = ok ? "ok" : "failed";
  if (state.phase === "deferred") {
    core.applyTransfer(state, nowMs);
    return;
  }
  // Not admitted yet: success is applied once blocks are allocated; a failure decides now.
  if (ok) return;
  if ((core.options.kvLoadFailurePolicy ?? "fail") === "recompute") {
    state.transfer = "applied";
    return;
  }
  core.waiting.remove(state);
  state.transfer = "applied";
  core.finish(state, "error", nowMs, "KV transfer from the prefill instance failed");
}

function releaseHeld(core: EngineCore, id: string): void {
  const state = core.held.get(id);
  if (state === undefined) return;
  core.held.delete(id);
  core.kv.free(state);
  state.phase = "finished";
}

function planStep(core: EngineCore, nowMs: number): SimStep | null {
  if (core.pending !== null) throw new Error("planStep called while a planned step is not completed");
  const planned = planSchedule(core, nowMs);
  core.pending = planned;
  return planned === null ? null : planned.step;
}

function completeStep(core: EngineCore, step: SimStep): void {
  const planned = core.pending;
  if (planned === null || planned.step !== step)
    throw new Error("completeStep called with a step not in flight");
  core.pending = null;
  const endMs = step.startMs + step.durationMs;
  const { requests, tokens } = planned;
  for (let i = 0; i < requests.length; i++) {
    const state = requests[i]!;
    // Aborted while the step ran: its blocks are already free.
    if (state.phase !== "running") continue;
    state.numComputed += tokens[i]!;
    core.kv.commitFullBlocks(state, state.numComputed);
    if (state.numComputed >= numTokens(state)) core.emitToken(state, endMs);
  }
  compactRunning(core.running);
}

/** Removes requests that finished during the step, keeping the order of the rest. */
function compactRunning(running: RequestState[]): void {
  let kept = 0;
  for (let i = 0; i < running.length; i++) {
    const state = running[i]!;
    if (state.phase === "running") running[kept++] = state;
  }
  running.length = kept;
}
