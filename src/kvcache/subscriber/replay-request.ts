// One replay round trip with vLLM's replay ROUTER (vllm-interfaces.md §1.6) over a DEALER of its own:
// sends ["", start_seq], then reads [""] + [seq, payload] (≤ v0.25) or [topic, seq, payload] (≥ v0.26)
// per buffered batch until an empty payload ends it. A fresh connection per replay keeps a late reply
// of an abandoned replay from mixing into the next one.
import { decodeSeq, encodeSeq, REPLAY_END_SEQ } from "../events/seq.ts";
import { connectDealer, type Multipart, type ZmqConnectOptions } from "../zmq/index.ts";

export interface ReplayHandlers {
  /** One replayed batch, in seq order. `payload` may view a receive buffer: decode it before returning. */
  onBatch(seq: bigint, payload: Uint8Array): void;
  /** A reply that does not parse (wrong frame count, bad seq); the replay goes on. */
  onMalformed(reason: string): void;
  /** Called once: true after the end marker, false on timeout (or transport failure until the timeout). */
  onDone(isComplete: boolean): void;
}

export interface ReplayRequest {
  /** Abandons the replay without calling onDone. */
  cancel(): void;
}

const EMPTY = new Uint8Array(0);

/** Starts a replay of every buffered batch with seq ≥ `fromSeq` from `endpoint`. */
export function requestReplay(
  endpoint: string,
  fromSeq: bigint,
  timeoutMs: number,
  handlers: ReplayHandlers,
  connectOptions: ZmqConnectOptions,
): ReplayRequest {
  const dealer = connectDealer(endpoint, connectOptions);
  let isOpen = true;
  const finish = (isComplete: boolean | null) => {
    if (!isOpen) return;
    isOpen = false;
    clearTimeout(timer);
    void dealer.close();
    if (isComplete !== null) handlers.onDone(isComplete);
  };
  const timer = setTimeout(() => finish(false), timeoutMs);
  dealer.onMessage(function onReplayReply(frames: Multipart) {
    if (!isOpen) return;
    const reply = parseReply(frames);
    if (typeof reply === "string") handlers.onMalformed(reply);
    else if (reply === null) finish(true);
    else handlers.onBatch(reply.seq, reply.payload);
  });
  dealer.send([EMPTY, encodeSeq(fromSeq)]);
  return { cancel: () => finish(null) };
}

/** A batch, null for the end marker, or the reason the reply is malformed. */
function parseReply(frames: Multipart): { seq: bigint; payload: Uint8Array } | null | string {
  if (frames[0]?.length !== 0) return "replay reply without the empty delimiter frame";
  if (frames.length !== 3 && frames.length !== 4) return `replay reply of ${frames.length} frames`;
  const seqFrame = frames[frames.length - 2]!;
  const payload = frames[frames.length - 1]!;
  if (seqFrame.length !== 8) return `replay seq frame of ${seqFrame.length} bytes`;
  // Both vLLM layouts end with END_SEQ and an empty payload; an empty payload alone also ends it.
  if (payload.length === 0) return null;
  const seq = decodeSeq(seqFrame);
  if (seq === REPLAY_END_SEQ) return null;
  return { seq, payload };
}
