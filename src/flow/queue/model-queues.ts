// The queues of one model: priority bands, served strictly from the highest non-empty one (llm-d §4:
// band first, then the fairness policy picks a flow, then the ordering policy picks the request).
import type { FairnessPolicy, OrderingPolicy } from "../types.ts";
import { PriorityBand } from "./band.ts";
import type { QueueEntry } from "./entry.ts";

export class ModelQueues {
  private readonly bands = new Map<number, PriorityBand>();
  /** Priorities of non-empty bands, highest first. */
  private priorities: number[] = [];
  private count = 0;

  constructor(private readonly ordering: OrderingPolicy) {}

  get size(): number {
    return this.count;
  }

  push(entry: QueueEntry): void {
    const priority = entry.request.priority;
    let band = this.bands.get(priority);
    if (band === undefined) {
      band = new PriorityBand(priority, this.ordering);
      this.bands.set(priority, band);
      this.priorities.push(priority);
      this.priorities.sort((a, b) => b - a);
    }
    band.push(entry);
    this.count++;
  }

  /** Removes and returns the next entry to dispatch, or undefined when empty. */
  take(fairness: FairnessPolicy, nowMs: number): QueueEntry | undefined {
    const priority = this.priorities[0];
    if (priority === undefined) return undefined;
    const band = this.bands.get(priority) as PriorityBand;
    const entry = band.take(fairness, nowMs);
    this.count--;
    if (band.size === 0) this.dropBand(priority);
    return entry;
  }

  remove(entry: QueueEntry): boolean {
    const band = this.bands.get(entry.request.priority);
    if (band === undefined || !band.remove(entry)) return false;
    this.count--;
    if (band.size === 0) this.dropBand(entry.request.priority);
    return true;
  }

  /** Lowest priority present, or undefined when empty. */
  lowestPriority(): number | undefined {
    return this.priorities[this.priorities.length - 1];
  }

  /** Newest entry of the lowest band: the eviction victim (lowest priority first, then newest). */
  evictionCandidate(): QueueEntry | undefined {
    const lowest = this.lowestPriority();
    return lowest === undefined ? undefined : this.bands.get(lowest)?.newest();
  }

  /** priority → queued count, for stats. */
  bandSizes(): Record<string, number> {
    const sizes: Record<string, number> = {};
    for (const priority of this.priorities) sizes[String(priority)] = this.bands.get(priority)?.size ?? 0;
    return sizes;
  }

  private dropBand(priority: number): void {
    this.bands.delete(priority);
    this.priorities = this.priorities.filter((p) => p !== priority);
  }
}
