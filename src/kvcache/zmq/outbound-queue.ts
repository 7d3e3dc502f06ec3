// Outgoing bytes of one connection: coalesces queued messages into few socket writes, keeps what the
// kernel did not accept and resumes on drain (Bun's socket.write is unbuffered and may write partially).

/** The part of a Bun socket the transport writes to. */
export interface ByteSink {
  /** Bytes accepted (possibly fewer than given, 0 when the kernel buffer is full), or -1 when closed. */
  write(data: Uint8Array): number;
  end(): void;
}

/** One write() carries up to this many bytes of small messages copied together; syscalls dominate otherwise. */
const GATHER_BYTES = 256 * 1024;
const COMPACT_AFTER_CHUNKS = 1024;

export class OutboundQueue {
  readonly #sink: ByteSink;
  #chunks: Uint8Array[] = [];
  /** isMessageEnd[i]: chunk i is the last piece of a message (for the message count). */
  #isMessageEnd: boolean[] = [];
  #head = 0;
  #headOffset = 0;
  #queuedBytes = 0;
  #queuedMessages = 0;
  #isBlocked = false;
  #isFlushScheduled = false;
  #isClosed = false;
  readonly #flushTask = (): void => {
    this.#isFlushScheduled = false;
    this.#flush();
  };

  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  /** Messages not yet fully handed to the kernel. */
  get queuedMessages(): number {
    return this.#queuedMessages;
  }

  /** Queues one message (its wire pieces, in order). Written in the same tick or on the next drain. */
  enqueue(pieces: readonly Uint8Array[]): void {
    if (this.#isClosed) return;
    const before = this.#chunks.length;
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      this.#chunks.push(piece);
      this.#isMessageEnd.push(false);
      this.#queuedBytes += piece.length;
    }
    if (this.#chunks.length === before) return;
    this.#isMessageEnd[this.#chunks.length - 1] = true;
    this.#queuedMessages += 1;
    if (this.#isBlocked) return;
    if (this.#queuedBytes >= GATHER_BYTES) {
      this.#flush();
    } else if (!this.#isFlushScheduled) {
      this.#isFlushScheduled = true;
      queueMicrotask(this.#flushTask);
    }
  }

  /** Called from the socket's drain event: the kernel accepts bytes again. */
  handleDrain(): void {
    this.#isBlocked = false;
    this.#flush();
  }

  /** Drops everything queued; later enqueues are ignored. */
  close(): void {
    this.#isClosed = true;
    this.#chunks = [];
    this.#isMessageEnd = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#queuedMessages = 0;
  }

  #flush(): void {
    while (!this.#isBlocked && !this.#isClosed && this.#head < this.#chunks.length) {
      const buffer = this.#gather();
      const written = this.#sink.write(buffer);
      if (written < 0) {
        this.close();
        return;
      }
      this.#advance(written);
      if (written < buffer.length) this.#isBlocked = true;
    }
    this.#compact();
  }

  /** The next bytes to write: the head chunk alone, or several small chunks copied together. */
  #gather(): Uint8Array {
    const first = this.#chunks[this.#head]!.subarray(this.#headOffset);
    let total = first.length;
    let end = this.#head + 1;
    while (end < this.#chunks.length && total + this.#chunks[end]!.length <= GATHER_BYTES) {
      total += this.#chunks[end]!.length;
      end += 1;
    }
    if (end === this.#head + 1) return first;
    const out = new Uint8Array(total);
    out.set(first, 0);
    let offset = first.length;
    for (let index = this.#head + 1; index < end; index += 1) {
      const chunk = this.#chunks[index]!;
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  #advance(writtenBytes: number): void {
    let remaining = writtenBytes;
    this.#queuedBytes -= writtenBytes;
    while (remaining > 0) {
      const left = this.#chunks[this.#head]!.length - this.#headOffset;
      if (remaining < left) {
        this.#headOffset += remaining;
        return;
      }
      remaining -= left;
      if (this.#isMessageEnd[this.#head]) this.#queuedMessages -= 1;
      this.#head += 1;
      this.#headOffset = 0;
    }
  }

  #compact(): void {
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#isMessageEnd = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER_CHUNKS && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#isMessageEnd = this.#isMessageEnd.slice(this.#head);
      this.#head = 0;
    }
  }
}
