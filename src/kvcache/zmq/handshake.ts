// Reading the peer's READY metadata (NULL mechanism): its socket type, checked against ours, and its
// identity (ZMTP 3.0 "Identity"; some implementations say "Routing-Id").

import { parseProperties } from "./command.ts";
import { ZmtpError } from "./errors.ts";
import type { ZmtpSocketType } from "./socket-type.ts";
import { isCompatiblePeer } from "./socket-type.ts";

export interface ZmtpPeer {
  /** Peer socket type as announced, e.g. "PUB", "DEALER". */
  readonly socketType: string;
  /** Identity the peer announced; empty when it sent none. */
  readonly identity: Uint8Array;
}

const latin1 = new TextDecoder("latin1");
const MAX_IDENTITY_BYTES = 255;

/** Parses READY metadata and rejects a missing or incompatible Socket-Type. Throws ZmtpError. */
export function readPeer(localType: ZmtpSocketType, readyData: Uint8Array): ZmtpPeer {
  const properties = parseProperties(readyData);
  const socketTypeBytes = properties.get("socket-type");
  if (socketTypeBytes === undefined) {
    throw new ZmtpError("kvcache_zmq_bad_command", "READY without Socket-Type");
  }
  const socketType = latin1.decode(socketTypeBytes);
  if (!isCompatiblePeer(localType, socketType)) {
    throw new ZmtpError("kvcache_zmq_incompatible_peer", `${localType} cannot talk to ${socketType}`);
  }
  const identity = properties.get("identity") ?? properties.get("routing-id") ?? new Uint8Array(0);
  if (identity.length > MAX_IDENTITY_BYTES) {
    throw new ZmtpError("kvcache_zmq_bad_command", `identity of ${identity.length} bytes`);
  }
  // Copy: the property is a view into a receive chunk, and the ROUTER keeps identities for the session.
  return { socketType, identity: identity.slice() };
}
