// A fake clock for flow tests: `now` and timers advance only when the test says so; timers fire in time
// order with the clock set to their due time, and promise continuations run between them.
import type { Timers } from "../../src/flow/index.ts";

interface Pending {
  readonly id: number;
  readonly atMs: number;
  readonly callback: () => void;
}

export class FakeClock implements Timers {
  nowMs: number;
  private pending: Pending[] = [];
  private nextId = 1;

  constructor(startMs = 1_000_000) {
    this.nowMs = startMs;
  }

  readonly now = (): number => this.nowMs;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, atMs: this.nowMs + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  /** Timers not yet fired. */
  get timerCount(): number {
    return this.pending.length;
  }

  /** Moves time forward by `ms`, firing due timers in order (and letting promises settle after each). */
  async advance(ms: number): Promise<void> {
    const endMs = this.nowMs + ms;
    await settle();
    for (;;) {
      this.pending.sort((a, b) => a.atMs - b.atMs || a.id - b.id);
      const next = this.pending[0];
      if (next === undefined || next.atMs > endMs) break;
      this.pending.shift();
      this.nowMs = next.atMs;
      next.callback();
      await settle();
    }
    this.nowMs = endMs;
    await settle();
  }
}

/** Lets queued promise continuations run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
