import { expect, test } from "bun:test";
import { IndexedHeap } from "../../../src/flow/queue/indexed-heap.ts";
import { createSeededRng } from "../../../src/scheduler/index.ts";

interface Item {
  readonly key: number;
  index: number;
}

test("pops in key order under random pushes and removals of arbitrary items", () => {
  const seed = 99;
  const rng = createSeededRng(seed);
  const heap = new IndexedHeap<Item>((a, b) => a.key < b.key, {
    get: (item) => item.index,
    set: (item, index) => {
      item.index = index;
    },
  });
  const live = new Set<Item>();
  for (let step = 0; step < 5000; step++) {
    const roll = rng();
    if (roll < 0.5) {
      const item = { key: Math.floor(rng() * 1000), index: -1 };
      heap.push(item);
      live.add(item);
    } else if (roll < 0.75 && live.size > 0) {
      const victim = [...live][Math.floor(rng() * live.size)] as Item;
      expect(heap.remove(victim)).toBe(true);
      expect(heap.remove(victim)).toBe(false);
      live.delete(victim);
    } else {
      const top = heap.pop();
      const min = Math.min(...[...live].map((i) => i.key));
      expect(top?.key ?? Number.POSITIVE_INFINITY, `seed ${seed} step ${step}`).toBe(min);
      if (top !== undefined) live.delete(top);
    }
    expect(heap.size).toBe(live.size);
  }
});
