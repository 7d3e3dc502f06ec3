// Drives a SimEngine in real (or scaled) time with timers: plan a step, sleep its duration,
// complete it, repeat; idle when nothing can run until wake() is called.
import type { KvEvent } from "../../kvcache/index.ts";
import type { SimEngine, SimStep } from "./types.ts";

export interface RealtimeDriverOptions {
  /** Engine ms per wall ms: 1 = real time, 10 = ten times faster. */
  readonly timeScale: number;
  /**
   * Engine time in ms. With timeScale 1 a monotonic wall clock; otherwise a clock that runs
   * timeScale times faster than the wall, the same one the server passes to add()/abort().
   */
  readonly now: () => number;
  /** After every completed step that ran tokens, with that step's KV events (possibly empty). */
  readonly onStepDone?: (events: KvEvent[], step: SimStep) => void;
}

export interface RealtimeDriver {
  /** New work may be runnable (after add, abort, transferDone, releaseHeld). Cheap; coalesced. */
  wake(): void;
  /** Stops stepping; a step in flight is dropped without completion. */
  stop(): void;
}

export function startRealtimeDriver(engine: SimEngine, options: RealtimeDriverOptions): RealtimeDriver {
  if (!(options.timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${options.timeScale}`);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: SimStep | null = null;
  let isPlanQueued = false;
  let isStopped = false;
  let lastEndMs = Number.NEGATIVE_INFINITY;

  function planNext(): void {
    isPlanQueued = false;
    if (isStopped || inFlight !== null) return;
    // Steps never overlap in engine time, even when a timer fires early.
    const step = engine.planStep(Math.max(options.now(), lastEndMs));
    if (step === null) return;
    inFlight = step;
    timer = setTimeout(finishStep, step.durationMs / options.timeScale);
  }

  function finishStep(): void {
    timer = null;
    const step = inFlight;
    if (step === null || isStopped) return;
    inFlight = null;
    engine.completeStep(step);
    if (step.scheduledTokens > 0) {
      lastEndMs = step.startMs + step.durationMs;
      options.onStepDone?.(engine.takeEvents(), step);
    }
    planNext();
  }

  function queuePlan(): void {
    if (isPlanQueued) return;
    isPlanQueued = true;
    queueMicrotask(planNext);
  }

  return {
    wake(): void {
      if (isStopped) return;
      if (inFlight === null) {
        queuePlan();
        return;
      }
      // An idle wait for a CPU load is cut short: the new work may run now.
      if (inFlight.scheduledTokens === 0 && timer !== null) {
        clearTimeout(timer);
        timer = null;
        const waitStep = inFlight;
        inFlight = null;
        engine.completeStep(waitStep);
        queuePlan();
      }
    },
    stop(): void {
      isStopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
