// Waiting queues of the scheduler (vllm/v1/core/sched/request_queue.py): FCFS is a deque whose
// front takes preempted requests back; "priority" is a heap by (priority, arrival).
import type { RequestState } from "./request-state.ts";

export interface RequestQueue {
  readonly size: number;
  /** Appends a new arrival. */
  push(state: RequestState): void;
  /** Puts a preempted or resumed request back first (FCFS) or in its priority place. */
  pushFront(state: RequestState): void;
  peek(): RequestState | undefined;
  pop(): RequestState | undefined;
  /** Removes one request (abort); O(n). */
  remove(state: RequestState): boolean;
  values(): Iterable<RequestState>;
}

/** A growable ring buffer: O(1) at both ends. */
class FcfsQueue implements RequestQueue {
  private slots: (RequestState | undefined)[] = new Array(16);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(state: RequestState): void {
    this.grow();
    this.slots[(this.head + this.count) % this.slots.length] = state;
    this.count++;
  }

  pushFront(state: RequestState): void {
    this.grow();
    this.head = (this.head - 1 + this.slots.length) % this.slots.length;
    this.slots[this.head] = state;
    this.count++;
  }

  peek(): RequestState | undefined {
    return this.count === 0 ? undefined : this.slots[this.head];
  }

  pop(): RequestState | undefined {
    if (this.count === 0) return undefined;
    const state = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.count--;
    return state;
  }

  remove(state: RequestState): boolean {
    const items = [...this.values()];
    const at = items.indexOf(state);
    if (at < 0) return false;
    items.splice(at, 1);
    this.slots = new Array(Math.max(16, this.slots.length));
    this.head = 0;
    this.count = 0;
    for (const item of items) this.push(item);
    return true;
  }

  *values(): Iterable<RequestState> {
    for (let i = 0; i < this.count; i++) yield this.slots[(this.head + i) % this.slots.length]!;
  }

  private grow(): void {
    if (this.count < this.slots.length) return;
    const items = [...this.values()];
    this.slots = new Array(this.slots.length * 2);
    this.head = 0;
    for (let i = 0; i < items.length; i++) this.slots[i] = items[i];
  }
}

function isBefore(a: RequestState, b: RequestState): boolean {
  const byPriority = a.request.priority - b.request.priority;
  return byPriority !== 0 ? byPriority < 0 : a.arrivalSeq < b.arrivalSeq;
}

/** A binary min-heap on (priority, arrival). */
class PriorityQueue implements RequestQueue {
  private readonly heap: RequestState[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(state: RequestState): void {
    this.heap.push(state);
    this.siftUp(this.heap.length - 1);
  }

  pushFront(state: RequestState): void {
    this.push(state);
  }

  peek(): RequestState | undefined {
    return this.heap[0];
  }

  pop(): RequestState | undefined {
    return this.heap.length === 0 ? undefined : this.removeAt(0);
  }

  remove(state: RequestState): boolean {
    const at = this.heap.indexOf(state);
    if (at < 0) return false;
    this.removeAt(at);
    return true;
  }

  values(): Iterable<RequestState> {
    return this.heap;
  }

  private removeAt(at: number): RequestState {
    const heap = this.heap;
    const removed = heap[at]!;
    const last = heap.pop()!;
    if (at < heap.length) {
      heap[at] = last;
      this.siftDown(at);
      this.siftUp(at);
    }
    return removed;
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    let at = start;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!isBefore(heap[at]!, heap[parent]!)) return;
      [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
      at = parent;
    }
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let best = at;
      if (left < heap.length && isBefore(heap[left]!, heap[best]!)) best = left;
      if (right < heap.length && isBefore(heap[right]!, heap[best]!)) best = right;
      if (best === at) return;
      [heap[at], heap[best]] = [heap[best]!, heap[at]!];
      at = best;
    }
  }
}

export function createRequestQueue(policy: "fcfs" | "priority"): RequestQueue {
  return policy === "priority" ? new PriorityQueue() : new FcfsQueue();
}
