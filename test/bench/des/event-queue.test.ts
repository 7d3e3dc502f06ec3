import { describe, expect, test } from "bun:test";
import { EventQueue } from "../../../src/bench/des/event-queue.ts";

describe("DES event queue", () => {
  test("pops by time, and in scheduling order at equal times", () => {
    const queue = new EventQueue();
    const order: string[] = [];
    const times = [5, 1, 3, 1, 9, 0, 3, 7, 1];
    times.forEach((t, i) => {
      queue.push(t, () => {
        order.push(`${t}:${i}`);
      });
    });
    for (let e = queue.pop(); e !== undefined; e = queue.pop()) e.run();
    expect(order).toEqual(["0:5", "1:1", "1:3", "1:8", "3:2", "3:6", "5:0", "7:7", "9:4"]);
    expect(queue.size).toBe(0);
  });

  test("stays ordered under interleaved pushes and pops", () => {
    const queue = new EventQueue();
    let state = 12345;
    const next = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % 1000;
    };
    let last = -1;
    for (let round = 0; round < 2000; round++) {
      queue.push(last + 1 + next(), () => {});
      if (round % 3 === 0) {
        const event = queue.pop()!;
        expect(event.timeMs).toBeGreaterThanOrEqual(last);
        last = event.timeMs;
      }
    }
  });
});
