// ROUTER socket: identities (announced and generated), replies both ways with libzmq and our DEALER.
import { afterEach, describe, expect, test } from "bun:test";
import {
  bindRouter,
  connectDealer,
  connectSubscriber,
  type Multipart,
  type ZmqRouter,
  type ZmtpError,
} from "../../../src/kvcache/zmq/index.ts";
import { bytes, hex } from "./frame-values.ts";
import { PythonPeer } from "./python-peer.ts";
import { waitFor } from "./wait-for.ts";

const text = (value: Uint8Array | undefined): string => new TextDecoder().decode(value);
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A ROUTER that answers [id, "hello", name] with [id, "echo", name] and then [id, "push", name]. */
async function echoRouter() {
  const errors: ZmtpError[] = [];
  const requests: Multipart[] = [];
  const router: ZmqRouter = await bindRouter("tcp://127.0.0.1:0", {
    onError: (error) => errors.push(error as ZmtpError),
  });
  cleanups.push(() => router.close());
  router.onMessage((message) => {
    requests.push(message);
    const [identity, verb, name] = message;
    if (text(verb) !== "hello" || identity === undefined || name === undefined) return;
    router.send([identity, bytes("echo"), name]);
    router.send([identity, bytes("push"), name]);
  });
  return { router, requests, errors };
}

describe("bindRouter", () => {
  test("talks to libzmq DEALERs both ways, keyed by announced or generated identities", async () => {
    const { router, requests } = await echoRouter();
    const dealers = new PythonPeer("libzmq_dealers.py", [router.endpoint]);
    cleanups.push(() => dealers.kill());
    await dealers.waitForLine((line) => line === "DONE");

    const got = dealers.lines.filter((line) => line.startsWith("GOT "));
    expect(got).toEqual([
      `GOT alpha ${hex(bytes("echo"))},${hex(bytes("alpha"))}`,
      `GOT alpha ${hex(bytes("push"))},${hex(bytes("alpha"))}`,
      `GOT anon ${hex(bytes("echo"))},${hex(bytes("anon"))}`,
      `GOT anon ${hex(bytes("push"))},${hex(bytes("anon"))}`,
    ]);
    const identities = new Map(requests.map((message) => [text(message[2]), message[0]!]));
    expect(text(identities.get("alpha"))).toBe("alpha");
    const generated = identities.get("anon")!;
    expect(generated.length).toBe(5);
    expect(generated[0]).toBe(0);
  });

  test("talks to our DEALERs, with and without an identity", async () => {
    const { router, requests } = await echoRouter();
    const replies = new Map<string, string[]>();
    for (const name of ["named", "anonymous"]) {
      const dealer = connectDealer(router.endpoint, name === "named" ? { identity: "d-1" } : {});
      cleanups.push(() => dealer.close());
      replies.set(name, []);
      dealer.onMessage((message) => replies.get(name)!.push(message.map(text).join("|")));
      dealer.send([bytes("hello"), bytes(name)]);
    }
    await waitFor(() => [...replies.values()].every((list) => list.length === 2), "two replies per dealer");
    expect(replies.get("named")).toEqual(["echo|named", "push|named"]);
    expect(replies.get("anonymous")).toEqual(["echo|anonymous", "push|anonymous"]);
    expect(text(requests.find((message) => text(message[2]) === "named")![0])).toBe("d-1");
  });

  test("drops sends to unknown identities and refuses a second peer with a taken identity", async () => {
    const { router, errors } = await echoRouter();
    router.send([bytes("nobody"), bytes("lost")]);
    const first = connectDealer(router.endpoint, { identity: "same" });
    cleanups.push(() => first.close());
    await waitFor(() => first.isConnected, "the first dealer");
    const second = connectDealer(router.endpoint, { identity: "same", reconnectInitialMs: 1000 });
    cleanups.push(() => second.close());
    await waitFor(() => errors.length > 0, "the duplicate to be refused");
    expect(errors[0]!.code).toBe("kvcache_zmq_duplicate_identity");

    const replies: string[] = [];
    first.onMessage((message) => replies.push(message.map(text).join("|")));
    first.send([bytes("hello"), bytes("first")]);
    await waitFor(() => replies.length === 2, "replies to the first dealer");
    expect(replies).toEqual(["echo|first", "push|first"]);
  });

  test("rejects garbage and incompatible peers without disturbing other peers", async () => {
    const { router, errors } = await echoRouter();
    const port = Number(router.endpoint.slice(router.endpoint.lastIndexOf(":") + 1));
    const garbage = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    cleanups.push(() => {
      garbage.end();
    });
    garbage.write("GET / HTTP/1.1\r\n\r\n");
    const wrongType = connectSubscriber(router.endpoint, { reconnectInitialMs: 1000 });
    cleanups.push(() => wrongType.close());
    await waitFor(() => errors.length >= 2, "two rejected peers");
    expect(errors.map((error) => error.code).sort()).toEqual([
      "kvcache_zmq_bad_greeting",
      "kvcache_zmq_incompatible_peer",
    ]);

    const dealer = connectDealer(router.endpoint);
    cleanups.push(() => dealer.close());
    const replies: Multipart[] = [];
    dealer.onMessage((message) => replies.push(message));
    dealer.send([bytes("hello"), bytes("ok")]);
    await waitFor(() => replies.length === 2, "replies after the rejected peers");
  });
});
