// A priority band: one queue per fairness flow, and the list of non-empty flows the fairness policy
// chooses among. An empty flow is dropped at once, so memory is bounded by what is queued.
import type { FairnessPolicy, OrderingPolicy } from "../types.ts";
import type { QueueEntry } from "./entry.ts";
import { FlowQueue } from "./flow-queue.ts";

export class PriorityBand {
  private readonly byId = new Map<string, FlowQueue>();
  /** Non-empty flows in the order they became non-empty. */
  private readonly active: FlowQueue[] = [];
  private count = 0;

  constructor(
    readonly priority: number,
    private readonly ordering: OrderingPolicy,
  ) {}

  get size(): number {
    return this.count;
  }

  push(entry: QueueEntry): void {
    const id = entry.request.fairnessId;
    let flow = this.byId.get(id);
    if (flow === undefined) {
      flow = new FlowQueue(id, this.ordering);
      this.byId.set(id, flow);
      this.active.push(flow);
    }
    flow.push(entry);
    this.count++;
  }

  /** The next entry by the fairness policy, removed from the band. */
  take(fairness: FairnessPolicy, nowMs: number): QueueEntry {
    const index = this.active.length === 1 ? 0 : fairness.pick(this.active, nowMs);
    const flow = this.active[index] ?? (this.active[0] as FlowQueue);
    const entry = flow.pop();
    this.count--;
    if (flow.size === 0) this.drop(flow);
    return entry;
  }

  remove(entry: QueueEntry): boolean {
    const flow = this.byId.get(entry.request.fairnessId);
    if (flow === undefined || !flow.remove(entry)) return false;
    this.count--;
    if (flow.size === 0) this.drop(flow);
    return true;
  }

  /** The most recently enqueued entry (eviction victim within this band). */
  newest(): QueueEntry | undefined {
    let newest: QueueEntry | undefined;
    for (const flow of this.active) {
      for (const entry of flow.entries()) if (newest === undefined || entry.seq > newest.seq) newest = entry;
    }
    return newest;
  }

  private drop(flow: FlowQueue): void {
    this.byId.delete(flow.fairnessId);
    this.active.splice(this.active.indexOf(flow), 1);
  }
}
