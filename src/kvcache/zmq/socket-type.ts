// The socket types this transport implements and which peer types each may talk to
// (rfc.zeromq.org/spec/23 §Socket semantics; a mismatch closes the connection, as libzmq does).

export type ZmtpSocketType = "PUB" | "SUB" | "ROUTER" | "DEALER";

const COMPATIBLE_PEERS: Readonly<Record<ZmtpSocketType, readonly string[]>> = {
  PUB: ["SUB", "XSUB"],
  SUB: ["PUB", "XPUB"],
  ROUTER: ["DEALER", "REQ", "ROUTER"],
  DEALER: ["REP", "DEALER", "ROUTER"],
};

export function isCompatiblePeer(local: ZmtpSocketType, peerType: string): boolean {
  return COMPATIBLE_PEERS[local].includes(peerType);
}
