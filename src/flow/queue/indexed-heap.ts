// A binary min-heap whose items know their position, so any item (aborted, expired, evicted) leaves in
// O(log n). Each heap owns one position slot on the item, named by the caller.

export interface HeapSlot<T> {
  get(item: T): number;
  set(item: T, index: number): void;
}

export class IndexedHeap<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly less: (a: T, b: T) => boolean,
    private readonly slot: HeapSlot<T>,
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Every item, in heap (not sorted) order. */
  values(): readonly T[] {
    return this.items;
  }

  push(item: T): void {
    this.items.push(item);
    this.slot.set(item, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item` if it is in this heap; returns whether it was. */
  remove(item: T): boolean {
    const index = this.slot.get(item);
    if (index < 0 || this.items[index] !== item) return false;
    const last = this.items.pop() as T;
    this.slot.set(item, -1);
    if (index < this.items.length) {
      this.items[index] = last;
      this.slot.set(last, index);
      this.down(index);
      this.up(this.slot.get(last));
    }
    return true;
  }

  private up(start: number): void {
    let index = start;
    const item = this.items[index] as T;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = this.items[parent] as T;
      if (!this.less(item, above)) break;
      this.items[index] = above;
      this.slot.set(above, index);
      index = parent;
    }
    this.items[index] = item;
    this.slot.set(item, index);
  }

  private down(start: number): void {
    let index = start;
    const length = this.items.length;
    const item = this.items[index] as T;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.less(this.items[right] as T, this.items[left] as T) ? right : left;
      const below = this.items[child] as T;
      if (!this.less(below, item)) break;
      this.items[index] = below;
      this.slot.set(below, index);
      index = child;
    }
    this.items[index] = item;
    this.slot.set(item, index);
  }
}
