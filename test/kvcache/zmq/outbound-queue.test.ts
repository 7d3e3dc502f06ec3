// Outgoing queue: coalesced writes, partial writes resumed on drain, message accounting.
import { describe, expect, test } from "bun:test";
import { OutboundQueue } from "../../../src/kvcache/zmq/outbound-queue.ts";
import { FakeSink } from "./fake-sink.ts";
import { hex } from "./frame-values.ts";

const tick = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

describe("OutboundQueue", () => {
  test("coalesces the messages queued in one tick into one write", async () => {
    const sink = new FakeSink();
    const queue = new OutboundQueue(sink);
    queue.enqueue([new Uint8Array([1, 2])]);
    queue.enqueue([new Uint8Array([3]), new Uint8Array(0), new Uint8Array([4])]);
    expect(queue.queuedMessages).toBe(2);
    await tick();
    expect(sink.writes.map(hex)).toEqual(["01020304"]);
    expect(queue.queuedMessages).toBe(0);
  });

  test("keeps what a partial write left and sends it, in order, on drain", async () => {
    const sink = new FakeSink();
    sink.accept.push(3, 0);
    const queue = new OutboundQueue(sink);
    queue.enqueue([new Uint8Array([1, 2])]);
    queue.enqueue([new Uint8Array([3, 4])]);
    queue.enqueue([new Uint8Array([5, 6])]);
    await tick();
    expect(queue.queuedMessages).toBe(2);
    queue.enqueue([new Uint8Array([7])]);
    await tick();
    expect(hex(sink.bytes)).toBe("010203");
    queue.handleDrain();
    expect(hex(sink.bytes)).toBe("010203");
    queue.handleDrain();
    expect(hex(sink.bytes)).toBe("01020304050607");
    expect(queue.queuedMessages).toBe(0);
  });

  test("writes a large piece without copying it", async () => {
    const sink = new FakeSink();
    const queue = new OutboundQueue(sink);
    const big = new Uint8Array(1024 * 1024);
    queue.enqueue([new Uint8Array([1]), big]);
    expect(sink.writes.length).toBe(2);
    expect(sink.passed[1]!.buffer).toBe(big.buffer);
    expect(sink.writes[1]!.length).toBe(big.length);
  });

  test("drops everything once the socket reports it is closed", async () => {
    const sink = new FakeSink();
    sink.isEnded = true;
    const queue = new OutboundQueue(sink);
    queue.enqueue([new Uint8Array([1])]);
    await tick();
    expect(queue.queuedMessages).toBe(0);
    queue.enqueue([new Uint8Array([2])]);
    expect(queue.queuedMessages).toBe(0);
  });
});
