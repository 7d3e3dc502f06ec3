// A binary min-heap of (expiry ms, entry) pairs: speculative entries expire in deadline order from one
// sweep at the start of each index operation, with no per-entry timer.

export class ExpiryHeap {
  #expiresAt: number[] = [];
  #entries: number[] = [];

  get size(): number {
    return this.#entries.length;
  }

  push(expiresAtMs: number, entry: number): void {
    const times = this.#expiresAt;
    const entries = this.#entries;
    let at = times.length;
    times.push(expiresAtMs);
    entries.push(entry);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (times[parent]! <= expiresAtMs) break;
      times[at] = times[parent]!;
      entries[at] = entries[parent]!;
      at = parent;
    }
    times[at] = expiresAtMs;
    entries[at] = entry;
  }

  /** Earliest expiry, or Infinity when empty. */
  peekTime(): number {
    return this.#expiresAt.length === 0 ? Number.POSITIVE_INFINITY : this.#expiresAt[0]!;
  }

  /** Removes the earliest pair and returns its entry (the heap must not be empty). */
  pop(): number {
    const times = this.#expiresAt;
    const entries = this.#entries;
    const top = entries[0]!;
    const lastTime = times.pop()!;
    const lastEntry = entries.pop()!;
    const size = times.length;
    if (size === 0) return top;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && times[child + 1]! < times[child]!) child++;
      if (times[child]! >= lastTime) break;
      times[at] = times[child]!;
      entries[at] = entries[child]!;
      at = child;
    }
    times[at] = lastTime;
    entries[at] = lastEntry;
    return top;
  }

  clear(): void {
    this.#expiresAt = [];
    this.#entries = [];
  }
}
