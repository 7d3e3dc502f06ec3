// Topic prefixes of a PUB session or a SUB socket, with libzmq's reference counting
// (two SUBSCRIBEs of one prefix need two CANCELs) and prefix matching on frame 0.

const latin1 = new TextDecoder("latin1");

export class SubscriptionSet {
  readonly #entries = new Map<string, { prefix: Uint8Array; count: number }>();

  get size(): number {
    return this.#entries.size;
  }

  /** Adds one reference to `prefix`; returns true when it was not subscribed before. */
  add(prefix: Uint8Array): boolean {
    const key = latin1.decode(prefix);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.count += 1;
      return false;
    }
    this.#entries.set(key, { prefix: prefix.slice(), count: 1 });
    return true;
  }

  /** Drops one reference to `prefix`; unknown prefixes are ignored, as libzmq does. */
  remove(prefix: Uint8Array): void {
    const key = latin1.decode(prefix);
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.count -= 1;
    if (entry.count === 0) this.#entries.delete(key);
  }

  has(prefix: Uint8Array): boolean {
    return this.#entries.has(latin1.decode(prefix));
  }

  /** The distinct prefixes, e.g. to re-send after a reconnect. */
  prefixes(): Uint8Array[] {
    return [...this.#entries.values()].map((entry) => entry.prefix);
  }

  /** True when some subscribed prefix is a prefix of `topic` (the empty prefix matches everything). */
  matches(topic: Uint8Array): boolean {
    for (const { prefix } of this.#entries.values()) {
      if (startsWith(topic, prefix)) return true;
    }
    return false;
  }
}

function startsWith(topic: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > topic.length) return false;
  for (let index = 0; index < prefix.length; index += 1) {
    if (topic[index] !== prefix[index]) return false;
  }
  return true;
}
