// Prefill-side bookkeeping of blocks held for remote decoders: the kv_lease_duration timer (vllm-interfaces.md
// §4.1/§4.2 step 4: "if D never arrives, P frees the blocks after the lease expires") and one release per hold.

export interface HeldEntry {
  readonly requestId: string;
  readonly blockIds: readonly (readonly number[])[];
  readonly numTokens: number;
  /** Set while a decoder's pull is in flight (the lease no longer runs). */
  transferXid: number | null;
}

export interface HeldBlocks {
  /** Starts holding; throws if the id is already held (request ids are unique per engine). */
  hold(
    requestId: string,
    blockIds: readonly (readonly number[])[],
    numTokens: number,
    release: () => void,
  ): void;
  get(requestId: string): HeldEntry | undefined;
  /** Why an id is not held, for the decoder's error message. */
  describeMissing(requestId: string): string;
  /** A pull started: the lease stops; `timer` completes the transfer. */
  startTransfer(requestId: string, xid: number, timer: ReturnType<typeof setTimeout>): void;
  /** The blocks were read (or the pull was cancelled): forget them and release once. */
  finish(requestId: string): void;
  readonly size: number;
  /** Stops every timer without releasing: the engine is shutting down with its blocks. */
  clear(): void;
}

export interface HeldBlocksOptions {
  /** Lease length in wall-clock ms (kv_lease_duration / timeScale). */
  readonly leaseMs: number;
  readonly now: () => number;
  readonly onError: (error: Error) => void;
}

/** Ids whose lease expired are remembered (bounded) so a late decoder gets a precise error. */
const EXPIRED_MEMORY = 1024;

interface Slot {
  readonly entry: HeldEntry;
  readonly release: () => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createHeldBlocks(options: HeldBlocksOptions): HeldBlocks {
  const slots = new Map<string, Slot>();
  const expiredAtMs = new Map<string, number>();

  function releaseSlot(requestId: string): void {
    const slot = slots.get(requestId);
    if (slot === undefined) return;
    slots.delete(requestId);
    clearTimeout(slot.timer);
    try {
      slot.release();
    } catch (error) {
      options.onError(new Error(`pd: release of held blocks for ${requestId} threw`, { cause: error }));
    }
  }

  function expire(requestId: string): void {
    expiredAtMs.set(requestId, options.now());
    if (expiredAtMs.size > EXPIRED_MEMORY) {
      const oldest = expiredAtMs.keys().next().value;
      if (oldest !== undefined) expiredAtMs.delete(oldest);
    }
    releaseSlot(requestId);
  }

  return {
    hold(requestId, blockIds, numTokens, release) {
      if (slots.has(requestId)) throw new Error(`pd: blocks for request ${requestId} are already held`);
      const entry: HeldEntry = { requestId, blockIds, numTokens, transferXid: null };
      const timer = setTimeout(function leaseExpired() {
        expire(requestId);
      }, options.leaseMs);
      slots.set(requestId, { entry, release, timer });
      expiredAtMs.delete(requestId);
    },
    get: (requestId) => slots.get(requestId)?.entry,
    describeMissing(requestId) {
      const at = expiredAtMs.get(requestId);
      if (at === undefined)
        return `request ${requestId} holds no blocks on this engine (unknown or already read)`;
      return `the lease on request ${requestId}'s blocks expired ${Math.round(options.now() - at)} ms ago`;
    },
    startTransfer(requestId, xid, timer) {
      const slot = slots.get(requestId);
      if (slot === undefined) throw new Error(`pd: no held blocks for ${requestId}`);
      clearTimeout(slot.timer);
      slot.timer = timer;
      slot.entry.transferXid = xid;
    },
    finish: releaseSlot,
    get size() {
      return slots.size;
    },
    clear() {
      for (const slot of slots.values()) clearTimeout(slot.timer);
      slots.clear();
    },
  };
}
