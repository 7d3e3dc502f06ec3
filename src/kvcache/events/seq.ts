// The sequence frame of KV-event messages: 8 bytes, big-endian, unsigned (vllm-interfaces.md §1.2, §1.6).
import { KvEventDecodeError } from "./errors.ts";

const SEQ_BYTES = 8;
const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const INT64_MIN = -(2n ** 63n);

/** The replay end marker, vLLM's `(-1).to_bytes(8, "big", signed=True)`, as `decodeSeq` returns it. */
export const REPLAY_END_SEQ = UINT64_MAX;

/** Encodes a sequence number; negative values are written in two's complement (so -1 is the end marker). */
export function encodeSeq(seq: bigint | number): Uint8Array {
  if (typeof seq === "number" && !Number.isSafeInteger(seq)) {
    throw new RangeError(`seq must be a safe integer, got ${seq}`);
  }
  const value = BigInt(seq);
  if (value > UINT64_MAX || value < INT64_MIN) throw new RangeError(`seq out of 64-bit range: ${value}`);
  const frame = new Uint8Array(SEQ_BYTES);
  new DataView(frame.buffer).setBigUint64(0, BigInt.asUintN(64, value));
  return frame;
}

/** Decodes a sequence frame as an unsigned 64-bit value. Throws KvEventDecodeError unless it is 8 bytes. */
export function decodeSeq(frame: Uint8Array): bigint {
  if (frame.length !== SEQ_BYTES) {
    throw new KvEventDecodeError("kvcache_event_seq_invalid", "$", `got ${frame.length} bytes`);
  }
  return new DataView(frame.buffer, frame.byteOffset, SEQ_BYTES).getBigUint64(0);
}
