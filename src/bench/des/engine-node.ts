// One simulated engine in virtual time, stepped as the sim's real-time driver steps it: plan a step,
// complete it at its end, plan again; new work cuts short an idle wait for a CPU-tier load.
import type { SimEngine, SimStep } from "../../sim/index.ts";
import type { EventQueue } from "./event-queue.ts";

export class EngineNode {
  private current: SimStep | null = null;
  steps = 0;

  constructor(
    readonly index: number,
    readonly id: string,
    readonly engine: SimEngine,
    private readonly queue: EventQueue,
    /** After every completed step that ran tokens (KV events, bookkeeping). */
    private readonly onStepDone: (node: EngineNode, endMs: number) => void,
  ) {}

  /** New work was added at `nowMs`: start stepping if idle (the driver's wake()). */
  wake(nowMs: number): void {
    const current = this.current;
    if (current === null) {
      this.plan(nowMs);
      return;
    }
    // An idle wait (no tokens scheduled) ends early: the new work may run now.
    if (current.scheduledTokens === 0) {
      this.current = null;
      this.engine.completeStep(current);
      this.plan(nowMs);
    }
  }

  private plan(nowMs: number): void {
    const step = this.engine.planStep(nowMs);
    this.current = step;
    if (step !== null) {
      const node = this;
      this.queue.push(step.startMs + step.durationMs, function completeEngineStep() {
        node.finish(step);
      });
    }
  }

  private finish(step: SimStep): void {
    // A stale idle wait that new work already cut short.
    if (this.current !== step) return;
    this.current = null;
    const endMs = step.startMs + step.durationMs;
    this.engine.completeStep(step);
    if (step.scheduledTokens > 0) {
      this.steps++;
      this.onStepDone(this, endMs);
    }
    this.plan(endMs);
  }
}
