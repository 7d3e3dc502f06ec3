// Matches client addresses against CIDR blocks (auth.trusted_networks) with node:net's BlockList, which
// Bun implements: an IPv4 block also matches the IPv4-mapped IPv6 form ("::ffff:127.0.0.1") that a
// dual-stack listener reports, and an IPv6 block over ::ffff:0:0/96 matches plain IPv4 addresses.
import { BlockList, isIP } from "node:net";

/** True when `address` (IPv4 or IPv6 text, as Bun's requestIP reports it) lies in one of the blocks. */
export type NetworkMatcher = (address: string) => boolean;

/**
 * Builds a matcher over `cidrs` ("10.0.0.0/8", "fd00::/8"; a bare address is one host). Throws a
 * RangeError naming the first entry that is not a CIDR: config validation lets none through.
 */
export function createNetworkMatcher(cidrs: readonly string[]): NetworkMatcher {
  if (cidrs.length === 0) return () => false;
  const blocks = new BlockList();
  for (const cidr of cidrs) addBlock(blocks, cidr);
  return function isInTrustedNetwork(address: string): boolean {
    // A link-local peer carries its zone ("fe80::1%eth0"); blocks never name one.
    const zone = address.indexOf("%");
    const host = zone === -1 ? address : address.slice(0, zone);
    const family = isIP(host);
    return family !== 0 && blocks.check(host, family === 4 ? "ipv4" : "ipv6");
  };
}

function addBlock(blocks: BlockList, cidr: string): void {
  const slash = cidr.indexOf("/");
  const address = (slash === -1 ? cidr : cidr.slice(0, slash)).trim();
  const family = isIP(address);
  const maxBits = family === 4 ? 32 : 128;
  const lengthText = slash === -1 ? String(maxBits) : cidr.slice(slash + 1).trim();
  const bits = /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (family === 0 || !(bits <= maxBits)) throw new RangeError(`not an IP address or CIDR block: "${cidr}"`);
  blocks.addSubnet(address, bits, family === 4 ? "ipv4" : "ipv6");
}
