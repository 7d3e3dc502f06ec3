// A manual clock and timer queue for lifecycle tests: time moves only when a test advances it.
import type { Clock, Timers } from "../../src/supervisor/clock.ts";

interface Pending {
  readonly id: number;
  readonly atMs: number;
  readonly callback: () => void;
}

export class FakeTime implements Clock, Timers {
  private nowMs = 0;
  private nextId = 1;
  private pending: Pending[] = [];

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, atMs: this.nowMs + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((timer) => timer.id !== handle);
  }

  /** Runs every timer due within `ms`, in order, letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.nowMs + ms;
    for (;;) {
      await settle();
      const due = this.pending
        .filter((timer) => timer.atMs <= targetMs)
        .sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.pending = this.pending.filter((timer) => timer !== due);
      this.nowMs = due.atMs;
      due.callback();
    }
    this.nowMs = targetMs;
    await settle();
  }
}

/** Lets queued promise callbacks run (several macrotask turns, for chains of awaits). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
