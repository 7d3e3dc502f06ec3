// Every queued request of the controller: per-model priority queues, one deadline heap across them (the
// TTL timer reads its top), and the byte count the queue bound is checked against.
import type { FairnessPolicy, OrderingPolicy } from "../types.ts";
import type { QueueEntry } from "./entry.ts";
import { IndexedHeap } from "./indexed-heap.ts";
import { ModelQueues } from "./model-queues.ts";

export class QueueSet {
  private readonly byModel = new Map<string, ModelQueues>();
  private readonly deadlines = new IndexedHeap<QueueEntry>(
    (a, b) => a.deadlineMs < b.deadlineMs || (a.deadlineMs === b.deadlineMs && a.seq < b.seq),
    {
      get: (entry) => entry.deadlineIndex,
      set: (entry, index) => {
        entry.deadlineIndex = index;
      },
    },
  );
  private queuedBytes = 0;

  constructor(private readonly ordering: OrderingPolicy) {}

  get size(): number {
    return this.deadlines.size;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  models(): IterableIterator<string> {
    return this.byModel.keys();
  }

  sizeOf(model: string): number {
    return this.byModel.get(model)?.size ?? 0;
  }

  bandSizes(model: string): Record<string, number> {
    return this.byModel.get(model)?.bandSizes() ?? {};
  }

  push(entry: QueueEntry): void {
    const model = entry.request.model;
    let queues = this.byModel.get(model);
    if (queues === undefined) {
      queues = new ModelQueues(this.ordering);
      this.byModel.set(model, queues);
    }
    queues.push(entry);
    this.deadlines.push(entry);
    this.queuedBytes += entry.request.sizeBytes;
  }

  /** Removes and returns the next entry of `model` to dispatch. */
  take(model: string, fairness: FairnessPolicy, nowMs: number): QueueEntry | undefined {
    const entry = this.byModel.get(model)?.take(fairness, nowMs);
    if (entry !== undefined) this.forget(entry);
    return entry;
  }

  remove(entry: QueueEntry): boolean {
    if (!(this.byModel.get(entry.request.model)?.remove(entry) ?? false)) return false;
    this.forget(entry);
    return true;
  }

  /** The entry whose deadline comes first. */
  nextDeadline(): QueueEntry | undefined {
    return this.deadlines.peek();
  }

  /** Lowest priority first, then newest, across every model (llm-d's priority-then-time order). */
  evictionCandidate(): QueueEntry | undefined {
    let victim: QueueEntry | undefined;
    for (const queues of this.byModel.values()) {
      const candidate = queues.evictionCandidate();
      if (candidate === undefined) continue;
      const priority = candidate.request.priority;
      const victimPriority = victim?.request.priority ?? Number.POSITIVE_INFINITY;
      if (priority < victimPriority || (priority === victimPriority && candidate.seq > (victim?.seq ?? -1))) {
        victim = candidate;
      }
    }
    return victim;
  }

  /** Every queued entry (a copy, safe to iterate while removing). */
  entries(): QueueEntry[] {
    return [...this.deadlines.values()];
  }

  private forget(entry: QueueEntry): void {
    this.deadlines.remove(entry);
    this.queuedBytes -= entry.request.sizeBytes;
  }
}
