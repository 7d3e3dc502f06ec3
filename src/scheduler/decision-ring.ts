// A bounded ring of recent decision explanations for GET /admin/decisions; old entries are overwritten.
import type { DecisionExplanation } from "./types.ts";

export class DecisionRing {
  private readonly entries: (DecisionExplanation | undefined)[];
  private next = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.entries = new Array(capacity);
  }

  push(explanation: DecisionExplanation): void {
    if (this.capacity === 0) return;
    this.entries[this.next] = explanation;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Newest first, at most `limit` (negative or non-integer limits count as 0). */
  recent(limit: number): DecisionExplanation[] {
    const count = Math.min(this.size, Math.max(0, Math.floor(limit)));
    const out: DecisionExplanation[] = [];
    for (let i = 1; i <= count; i++) {
      const entry = this.entries[(this.next - i + this.capacity) % this.capacity];
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }
}
