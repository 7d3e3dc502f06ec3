// One fairness flow inside a priority band: its requests in the ordering policy's order.
import type { FlowView, OrderingPolicy } from "../types.ts";
import type { QueueEntry } from "./entry.ts";
import { IndexedHeap } from "./indexed-heap.ts";

const FLOW_SLOT = {
  get: (entry: QueueEntry) => entry.flowIndex,
  set: (entry: QueueEntry, index: number) => {
    entry.flowIndex = index;
  },
};

export class FlowQueue implements FlowView {
  private readonly heap: IndexedHeap<QueueEntry>;

  constructor(
    readonly fairnessId: string,
    ordering: OrderingPolicy,
  ) {
    this.heap = new IndexedHeap((a, b) => ordering.compare(a, b) < 0, FLOW_SLOT);
  }

  get size(): number {
    return this.heap.size;
  }

  head(): QueueEntry {
    const top = this.heap.peek();
    if (top === undefined) throw new Error(`flow ${this.fairnessId} is empty`);
    return top;
  }

  push(entry: QueueEntry): void {
    this.heap.push(entry);
  }

  pop(): QueueEntry {
    return this.heap.pop() as QueueEntry;
  }

  remove(entry: QueueEntry): boolean {
    return this.heap.remove(entry);
  }

  entries(): readonly QueueEntry[] {
    return this.heap.values();
  }
}
