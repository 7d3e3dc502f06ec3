// CIDR matching for auth.trusted_networks: IPv4, IPv6 (compressed, embedded IPv4, zones), IPv4-mapped
// client addresses, prefix lengths that end mid-byte, and refusal of malformed blocks and addresses.
import { describe, expect, test } from "bun:test";
import { createNetworkMatcher } from "../../../src/gateway/middleware/network-matcher.ts";

describe("createNetworkMatcher", () => {
  test.each([
    // [cidrs, address, expected]
    [["127.0.0.1/32"], "127.0.0.1", true],
    [["127.0.0.1/32"], "127.0.0.2", false],
    [["127.0.0.0/8"], "127.255.3.4", true],
    [["127.0.0.0/8"], "128.0.0.1", false],
    [["10.0.0.0/8"], "::ffff:10.1.2.3", true],
    [["10.0.0.0/8"], "::ffff:a01:203", true],
    [["192.168.0.0/23"], "192.168.1.255", true],
    [["192.168.0.0/23"], "192.168.2.0", false],
    [["172.16.0.0/12"], "172.31.255.255", true],
    [["172.16.0.0/12"], "172.32.0.0", false],
    [["10.9.8.7/8"], "10.0.0.1", true],
    [["0.0.0.0/0"], "203.0.113.9", true],
    [["0.0.0.0/0"], "2001:db8::1", false],
    [["::1/128"], "::1", true],
    [["::1/128"], "::2", false],
    [["::1"], "::1", true],
    [["127.0.0.1"], "127.0.0.1", true],
    [["fd00::/8"], "fd12:3456:789a::1", true],
    [["fd00::/8"], "fe80::1", false],
    [["fe80::/10"], "febf:ffff::1", true],
    [["fe80::/10"], "fec0::1", false],
    [["fe80::/10"], "fe80::1%eth0", true],
    [["2001:db8::/32"], "2001:0db8:0000:0000:0000:0000:0000:0001", true],
    [["2001:db8::/32"], "2001:db9::1", false],
    [["2001:db8:0:0:1::/80"], "2001:db8::1:0:0:5", true],
    [["::ffff:10.0.0.0/104"], "10.200.0.1", true],
    [["::/0"], "2001:db8::1", true],
    [["10.0.0.0/8", "::1/128"], "::1", true],
    [[], "127.0.0.1", false],
  ] as const)("%p contains %p: %p", (cidrs, address, expected) => {
    expect(createNetworkMatcher(cidrs)(address)).toBe(expected);
  });

  test.each([["10.0.0.0/33"], ["::/129"], ["10.0.0/8"], ["garbage"], ["10.0.0.0/"], ["1::2::3/64"]])(
    "refuses the block %p",
    (cidr) => {
      expect(() => createNetworkMatcher([cidr])).toThrow(RangeError);
    },
  );

  test("a malformed client address matches nothing", () => {
    const matcher = createNetworkMatcher(["0.0.0.0/0", "::/0"]);
    expect(matcher("")).toBe(false);
    expect(matcher("unknown")).toBe(false);
    expect(matcher("1.2.3")).toBe(false);
  });
});

describe("address forms", () => {
  // Each text form is the address its block names in full, and no other.
  test.each([
    ["1.2.3.4", "::ffff:102:304/128"],
    ["::", "::/128"],
    ["1::", "1:0:0:0:0:0:0:0/128"],
    ["::ffff:1.2.3.4", "1.2.3.4/32"],
    ["2001:db8:85a3::8a2e:370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334/128"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304/128"],
  ])("%p is %p", (text, block) => {
    expect(createNetworkMatcher([block])(text)).toBe(true);
  });

  test.each([
    ["256.1.1.1"],
    ["01.2.3.4"],
    ["1.2.3.4.5"],
    ["1:2:3:4:5:6:7:8:9"],
    ["1:2:3:4:5:6:7"],
    ["1::2::3"],
    ["12345::1"],
    [":1"],
    ["1:"],
    ["g::1"],
    ["::1.2.3"],
    ["1:2:3:4:5:6:7::1.2.3.4"],
  ])("refuses %p", (text) => {
    expect(createNetworkMatcher(["0.0.0.0/0", "::/0"])(text)).toBe(false);
  });
});
