// Test helper: a ByteSink that records writes and accepts a scripted number of bytes per write.
import type { ByteSink } from "../../../src/kvcache/zmq/outbound-queue.ts";

export class FakeSink implements ByteSink {
  readonly writes: Uint8Array[] = [];
  /** The buffers passed to write(), uncopied. */
  readonly passed: Uint8Array[] = [];
  /** Bytes accepted by the next writes, in order; when empty every write is accepted whole. */
  readonly accept: number[] = [];
  isEnded = false;

  write(data: Uint8Array): number {
    if (this.isEnded) return -1;
    this.passed.push(data);
    const accepted = Math.min(this.accept.shift() ?? data.length, data.length);
    this.writes.push(data.slice(0, accepted));
    return accepted;
  }

  end(): void {
    this.isEnded = true;
  }

  /** All accepted bytes, concatenated. */
  get bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.writes));
  }
}
