// Matches client addresses against CIDR blocks (auth.trusted_networks). IPv4 is handled as its
// IPv4-mapped IPv6 form (RFC 4291 §2.5.5.2), so 127.0.0.1/8 also matches the "::ffff:127.0.0.1" a
// dual-stack listener reports.

/** True when `address` (IPv4 or IPv6 text, as Bun's requestIP reports it) lies in one of the blocks. */
export type NetworkMatcher = (address: string) => boolean;

interface Block {
  readonly bytes: Uint8Array;
  readonly prefixBits: number;
}

const IPV4_MAPPED_PREFIX_BITS = 96;

/**
 * Builds a matcher over `cidrs` ("10.0.0.0/8", "fd00::/8"; a bare address is one host). Throws a
 * RangeError naming the first entry that is not a CIDR: config validation lets none through.
 */
export function createNetworkMatcher(cidrs: readonly string[]): NetworkMatcher {
  const blocks = cidrs.map(function parseBlock(cidr): Block {
    const block = parseCidr(cidr);
    if (block === null) throw new RangeError(`not an IP address or CIDR block: "${cidr}"`);
    return block;
  });
  if (blocks.length === 0) return () => false;
  return function isInTrustedNetwork(address: string): boolean {
    const bytes = parseIpAddress(address);
    return bytes !== null && blocks.some((block) => isInBlock(bytes, block));
  };
}

/** 16 bytes of an IPv6 address, or of the IPv4-mapped form of an IPv4 one; null when malformed. */
export function parseIpAddress(text: string): Uint8Array | null {
  const zoneless = text.includes("%") ? text.slice(0, text.indexOf("%")) : text;
  if (!zoneless.includes(":")) {
    const v4 = parseIpv4(zoneless);
    return v4 === null ? null : mapped(v4);
  }
  return parseIpv6(zoneless);
}

function parseCidr(cidr: string): Block | null {
  const slash = cidr.indexOf("/");
  const addressText = (slash === -1 ? cidr : cidr.slice(0, slash)).trim();
  const bytes = parseIpAddress(addressText);
  if (bytes === null) return null;
  const isV4 = !addressText.includes(":");
  const maxBits = isV4 ? 32 : 128;
  let bits = maxBits;
  if (slash !== -1) {
    const lengthText = cidr.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(lengthText)) return null;
    bits = Number(lengthText);
    if (bits > maxBits) return null;
  }
  return { bytes, prefixBits: isV4 ? IPV4_MAPPED_PREFIX_BITS + bits : bits };
}

function isInBlock(address: Uint8Array, block: Block): boolean {
  const fullBytes = block.prefixBits >> 3;
  for (let i = 0; i < fullBytes; i++) if (address[i] !== block.bytes[i]) return false;
  const restBits = block.prefixBits & 7;
  if (restBits === 0) return true;
  const mask = (0xff << (8 - restBits)) & 0xff;
  return ((address[fullBytes] ?? 0) & mask) === ((block.bytes[fullBytes] ?? 0) & mask);
}

/** Dotted quad, each part 0-255 without leading zeros (which some parsers read as octal). */
function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes.push(value);
  }
  return bytes;
}

/** RFC 4291 §2.2 text forms: eight groups, one "::" for a run of zeros, an IPv4 tail. */
function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** Hex groups of one side of "::"; a trailing dotted quad counts as two groups. */
function groupsOf(side: string): number[] | null {
  if (side === "") return [];
  const parts = side.split(":");
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
    groups.push(Number.parseInt(part, 16));
  }
  return groups;
}

function mapped(v4: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(v4, 12);
  return bytes;
}
