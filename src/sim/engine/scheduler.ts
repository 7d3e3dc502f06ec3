// One scheduling pass of vLLM v1's scheduler (vllm/v1/core/sched/scheduler.py schedule()): running
// requests first, preempting on KV shortage; then waiting requests while the token budget, the
// sequence slots and the KV pool allow, each prefill chunked to the remaining budget.
import type { EngineCore, PlannedStep } from "./engine-core.ts";
import { isPrefilling, numTokens, type RequestState } from "./request-state.ts";
import { cpuRestoreMs, prefillPairs, type StepWork, stepDurationMs } from "./step-cost.ts";

const BLOCKED = -1;
const DEFERRED = 0;

/** Requests picked for a step and their token counts, with the remaining token budget. */
class StepBatch {
  readonly requests: RequestState[] = [];
  readonly tokens: number[] = [];

  constructor(public budget: number) {}

  add(state: RequestState, tokenCount: number): void {
    this.requests.push(state);
    this.tokens.push(tokenCount);
    this.budget -= tokenCount;
  }

  /** Drops a preempted request, giving its tokens back to the budget. */
  remove(state: RequestState): void {
    const at = this.requests.indexOf(state);
    if (at < 0) return;
    this.budget += this.tokens[at]!;
    this.requests.splice(at, 1);
    this.tokens.splice(at, 1);
  }
}

/** Plans the step starting at `nowMs`, or null when nothing can run. */
export function planSchedule(core: EngineCore, nowMs: number): PlannedStep | null {
  completeReadyLoads(core, nowMs);
  const batch = new StepBatch(core.options.maxNumBatchedTokens);
  for (;;) {
    const hasPreempted = scheduleRunning(core, batch);
    // vLLM admits nothing new in a step that had to preempt.
    if (!hasPreempted) scheduleWaiting(core, batch, nowMs);
    // A pass that only preempted is an empty iteration in vLLM; the next pass runs on the freed
    // blocks. Each such pass removes a running request, so the loop ends.
    if (batch.requests.length > 0 || !hasPreempted) break;
  }
  if (batch.requests.length === 0) return waitForLoads(core, nowMs);
  const work: StepWork = { scheduledTokens: 0, attentionPairs: 0, decodeContextTokens: 0 };
  for (let i = 0; i < batch.requests.length; i++) {
    const state = batch.requests[i]!;
    const count = batch.tokens[i]!;
    work.scheduledTokens += count;
    if (isPrefilling(state)) work.attentionPairs += prefillPairs(count, state.numComputed);
    else work.decodeContextTokens += numTokens(state);
    if (!state.isScheduled) {
      state.isScheduled = true;
      state.callbacks.onScheduled?.(nowMs);
    }
  }
  const durationMs = stepDurationMs(core.profile, work);
  const step = { startMs: nowMs, durationMs, scheduledTokens: work.scheduledTokens };
  return { step, requests: batch.requests, tokens: batch.tokens };
}

/** Schedules running requests in order; returns true when it had to preempt. */
function scheduleRunning(core: EngineCore, batch: StepBatch): boolean {
  const running = core.running;
  let hasPreempted = false;
  let index = 0;
  while (index < running.length && batch.budget > 0) {
    const state = running[index]!;
    const count = Math.min(numTokens(state) - state.numComputed, batch.budget);
    let isAllocated = core.kv.allocateSlots(state, state.numComputed + count);
    while (!isAllocated) {
      const victim = pickVictim(core);
      const at = running.indexOf(victim);
      running.splice(at, 1);
      batch.remove(victim);
      core.preempt(victim);
      hasPreempted = true;
      if (victim === state) break;
      if (at < index) index--;
      isAllocated = core.kv.allocateSlots(state, state.numComputed + count);
    }
    if (!isAllocated) break;
    batch.add(state, count);
    index++;
  }
  return hasPreempted;
}

/** FCFS preempts the last admitted request; "priority" the lowest priority, latest arrival. */
function pickVictim(core: EngineCore): RequestState {
  const running = core.running;
  let victim = running[running.length - 1]!;
  if (core.options.schedulingPolicy !== "priority") return victim;
  for (const state of running) {
    const byPriority = state.request.priority - victim.request.priority;
    if (byPriority > 0 || (byPriority === 0 && state.arrivalSeq > victim.arrivalSeq)) victim = state;
  }
  return victim;
}

function scheduleWaiting(core: EngineCore, batch: StepBatch, nowMs: number): void {
  const maxNumSeqs = core.options.maxNumSeqs;
  while (core.waiting.size > 0 && batch.budget > 0 && core.running.length < maxNumSeqs) {
    const state = core.waiting.peek()!;
    const count = admit(core, state, batch.budget, nowMs);
    if (count === BLOCKED) return;
    core.waiting.pop();
    if (count === DEFERRED) {
      state.phase = "deferred";
      core.deferred.add(state);
      // The transfer may have finished before the blocks were allocated.
      if (state.transfer === "ok") core.applyTransfer(state, nowMs);
      continue;
    }
    state.phase = "running";
    core.running.push(state);
    batch.add(state, count);
  }
}

/** Allocates KV for a waiting request: its token count, DEFERRED while KV arrives, or BLOCKED. */
function admit(core: EngineCore, state: RequestState, budget: number, nowMs: number): number {
  const kv = core.kv;
  if (state.blockIds.length > 0) {
    // Resumed after a transfer or a CPU load: its KV is in place.
    const count = Math.min(numTokens(state) - state.numComputed, budget);
    return kv.allocateSlots(state, state.numComputed + count) ? count : BLOCKED;
  }
  const hit = kv.findCachedPrefix(state);
  const gpuTokens = hit.gpuBlocks.length * core.blockSize;
  if (state.transfer === "awaiting" || state.transfer === "ok") {
    // NixlConnector: blocks for the whole prompt now, filled by the transfer (get_num_new_matched_tokens).
    const promptLength = state.promptTokenIds.length;
    if (!kv.allocateSlots(state, promptLength, hit.gpuBlocks)) return BLOCKED;
    state.numComputed = gpuTokens;
    core.recordLookup(state, gpuTokens, 0, promptLength - gpuTokens);
    return DEFERRED;
  }
  if (hit.cpuBlocks > 0) {
    const cpuTokens = hit.cpuBlocks * core.blockSize;
    if (!kv.allocateSlots(state, gpuTokens + cpuTokens, hit.gpuBlocks)) return BLOCKED;
    state.numComputed = gpuTokens;
    // The offloading connector loads asynchronously: only this request waits (§5.2 modeling advice).
    state.loadTokens = cpuTokens;
    state.loadReadyMs = nowMs + cpuRestoreMs(core.profile, cpuTokens);
    core.recordLookup(state, gpuTokens, cpuTokens, 0);
    return DEFERRED;
  }
  const count = Math.min(numTokens(state) - gpuTokens, budget);
  if (!kv.allocateSlots(state, gpuTokens + count, hit.gpuBlocks)) return BLOCKED;
  state.numComputed = gpuTokens;
  core.recordLookup(state, gpuTokens, 0, 0);
  return count;
}

/** Moves CPU loads that are done by `nowMs` back to the front of the waiting queue, in order. */
function completeReadyLoads(core: EngineCore, nowMs: number): void {
  const ready: RequestState[] = [];
  for (const state of core.deferred) {
    if (state.loadTokens > 0 && state.loadReadyMs <= nowMs) ready.push(state);
  }
  for (let i = ready.length - 1; i >= 0; i--) core.completeLoad(ready[i]!);
}

/** An idle step until the next CPU load completes, or null when nothing is pending. */
function waitForLoads(core: EngineCore, nowMs: number): PlannedStep | null {
  let readyMs = Number.POSITIVE_INFINITY;
  for (const state of core.deferred) {
    if (state.loadTokens > 0) readyMs = Math.min(readyMs, state.loadReadyMs);
  }
  if (readyMs === Number.POSITIVE_INFINITY) return null;
  const step = { startMs: nowMs, durationMs: Math.max(readyMs - nowMs, 0), scheduledTokens: 0 };
  return { step, requests: [], tokens: [] };
}
