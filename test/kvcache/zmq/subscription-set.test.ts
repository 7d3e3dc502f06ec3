// Topic prefixes: matching and libzmq-style reference counting.
import { describe, expect, test } from "bun:test";
import { SubscriptionSet } from "../../../src/kvcache/zmq/subscription-set.ts";

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("SubscriptionSet", () => {
  test("matches by prefix; the empty prefix matches everything; no subscription matches nothing", () => {
    const set = new SubscriptionSet();
    expect(set.matches(ascii("kv@a"))).toBe(false);
    set.add(ascii("kv@"));
    expect(set.matches(ascii("kv@a"))).toBe(true);
    expect(set.matches(ascii("kv"))).toBe(false);
    set.add(new Uint8Array(0));
    expect(set.matches(new Uint8Array(0))).toBe(true);
  });

  test("needs one cancel per subscribe of the same prefix", () => {
    const set = new SubscriptionSet();
    expect(set.add(ascii("a"))).toBe(true);
    expect(set.add(ascii("a"))).toBe(false);
    set.remove(ascii("a"));
    expect(set.matches(ascii("ab"))).toBe(true);
    set.remove(ascii("a"));
    expect(set.matches(ascii("ab"))).toBe(false);
    set.remove(ascii("unknown"));
    expect(set.size).toBe(0);
  });

  test("treats prefixes as bytes, not text", () => {
    const set = new SubscriptionSet();
    set.add(new Uint8Array([0xff, 0x80]));
    expect(set.matches(new Uint8Array([0xff, 0x80, 1]))).toBe(true);
    expect(set.matches(new Uint8Array([0xff, 0x81]))).toBe(false);
    expect(set.prefixes()).toEqual([new Uint8Array([0xff, 0x80])]);
  });
});
