// Wire protocol of the sim's NIXL side channel: msgpack messages between a decoder's DEALER and the prefill
// instance's ROUTER (vllm-interfaces.md §4.1), and the simulated transfer time and payload.
import { Packr } from "msgpackr";
import { z } from "zod";

/**
 * Decoder → prefill. `meta` stands in for vLLM's `(GET_META_MSG, tp_rank)` handshake; `pull` asks for a
 * held request's blocks (NIXL READ); `cancel` says the decoder gave up on a pull.
 */
export type SideChannelRequest =
  | { readonly t: "meta"; readonly xid: number }
  | {
      readonly t: "pull";
      readonly xid: number;
      readonly engineId: string;
      readonly requestId: string;
      readonly blockIds: readonly (readonly number[])[];
      readonly numTokens: number;
    }
  | { readonly t: "cancel"; readonly xid: number; readonly requestId: string };

/** Prefill → decoder. A `done` reply is followed by one payload frame of `payloadBytes` bytes. */
export type SideChannelReply =
  | { readonly t: "meta"; readonly xid: number; readonly engineId: string; readonly tpSize: number }
  | {
      readonly t: "done";
      readonly xid: number;
      readonly requestId: string;
      readonly blockIds: readonly (readonly number[])[];
      readonly numTokens: number;
      readonly payloadBytes: number;
    }
  | { readonly t: "error"; readonly xid: number; readonly error: string };

const Xid = z.int().min(0);
const BlockIds = z.array(z.array(z.int().min(0)));

const RequestSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("meta"), xid: Xid }),
  z.object({
    t: z.literal("pull"),
    xid: Xid,
    engineId: z.string(),
    requestId: z.string(),
    blockIds: BlockIds,
    numTokens: z.int().min(0),
  }),
  z.object({ t: z.literal("cancel"), xid: Xid, requestId: z.string() }),
]);

const ReplySchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("meta"), xid: Xid, engineId: z.string(), tpSize: z.int().min(1) }),
  z.object({
    t: z.literal("done"),
    xid: Xid,
    requestId: z.string(),
    blockIds: BlockIds,
    numTokens: z.int().min(0),
    payloadBytes: z.int().min(0),
  }),
  z.object({ t: z.literal("error"), xid: Xid, error: z.string() }),
]);

// Plain msgpack maps (no msgpackr record extension), so any msgpack peer can read the messages.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export function encodeSideChannelMessage(message: SideChannelRequest | SideChannelReply): Uint8Array {
  return packr.pack(message);
}

/** Decodes a frame from a peer (a boundary: never trusted); throws an Error saying what is wrong. */
export function decodeSideChannelRequest(frame: Uint8Array): SideChannelRequest {
  return RequestSchema.parse(unpackFrame(frame));
}

export function decodeSideChannelReply(frame: Uint8Array): SideChannelReply {
  return ReplySchema.parse(unpackFrame(frame));
}

function unpackFrame(frame: Uint8Array): unknown {
  try {
    return packr.unpack(frame);
  } catch (error) {
    throw new Error(`side channel: frame is not msgpack (${frame.length} bytes)`, { cause: error });
  }
}

export interface TransferTimeArgs {
  readonly numTokens: number;
  readonly kvBytesPerToken: number;
  readonly transferSetupMs: number;
  readonly transferGBps: number;
  /** Sim speed-up: 10 runs everything ten times faster than real time. */
  readonly timeScale: number;
}

/** Simulated wall time of one KV pull: (setup + bytes / bandwidth) / timeScale, in ms. */
export function transferDurationMs(args: TransferTimeArgs): number {
  const bytes = args.numTokens * args.kvBytesPerToken;
  const wireMs = args.transferGBps > 0 ? bytes / (args.transferGBps * 1e6) : 0;
  return (args.transferSetupMs + wireMs) / args.timeScale;
}

/** Bytes sent per transferred block: enough to exercise framing, far below a real block's size. */
export const PAYLOAD_BYTES_PER_BLOCK = 64;

/** The stand-in KV payload of a pull: PAYLOAD_BYTES_PER_BLOCK per block, filled from the block ids. */
export function transferPayload(blockIds: readonly (readonly number[])[]): Uint8Array {
  const ids = blockIds.flat();
  const payload = new Uint8Array(ids.length * PAYLOAD_BYTES_PER_BLOCK);
  ids.forEach(function fillBlock(id, index) {
    payload.fill(id & 0xff, index * PAYLOAD_BYTES_PER_BLOCK, (index + 1) * PAYLOAD_BYTES_PER_BLOCK);
  });
  return payload;
}
