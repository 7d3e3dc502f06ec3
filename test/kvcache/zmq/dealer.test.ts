// DEALER socket: vLLM's replay ROUTER protocol against libzmq, queueing before connect, reconnects.
import { afterEach, describe, expect, test } from "bun:test";
import { bindRouter, connectDealer, type Multipart, ZmtpError } from "../../../src/kvcache/zmq/index.ts";
import { bytes, readSeq8, seq8 } from "./frame-values.ts";
import { PythonPeer } from "./python-peer.ts";
import { waitFor } from "./wait-for.ts";

const text = (value: Uint8Array | undefined): string => new TextDecoder().decode(value);
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Is this [b"", topic, seq, payload] reply the replay end marker (seq -1, empty payload)? */
const isEndMarker = (message: Multipart): boolean =>
  readSeq8(message[2]!) === -1n && message[3]!.length === 0;

describe("connectDealer", () => {
  test("replays from a libzmq ROUTER shaped like vLLM's replay service until the end marker", async () => {
    const replay = new PythonPeer("libzmq_replay_router.py", ["--count", "5", "--topic", "kv@a"]);
    cleanups.push(() => replay.kill());
    const dealer = connectDealer(`tcp://127.0.0.1:${await replay.port()}`);
    cleanups.push(() => dealer.close());
    const replies: Multipart[] = [];
    dealer.onMessage((message) => replies.push(message));

    dealer.send([new Uint8Array(0), seq8(2)]);
    await waitFor(() => replies.some(isEndMarker), "the first end marker");
    dealer.send([new Uint8Array(0), seq8(0)]);
    await waitFor(() => replies.filter(isEndMarker).length === 2, "the second end marker");

    const seqs = replies.map((message) => Number(readSeq8(message[2]!)));
    expect(seqs).toEqual([2, 3, 4, -1, 0, 1, 2, 3, 4, -1]);
    for (const message of replies) {
      expect(message.length).toBe(4);
      expect(message[0]!.length).toBe(0);
      if (!isEndMarker(message)) {
        expect(text(message[1])).toBe("kv@a");
        expect(text(message[3])).toBe(`payload-${readSeq8(message[2]!)}`);
      }
    }
    expect(replay.lines.filter((line) => line.startsWith("REQUEST ")).length).toBe(2);
  });

  test("sends messages queued before the connection exists once the handshake completes", async () => {
    const router = await bindRouter("tcp://127.0.0.1:0");
    cleanups.push(() => router.close());
    const port = Number(router.endpoint.slice(router.endpoint.lastIndexOf(":") + 1));
    await router.close();
    const dealer = connectDealer(`tcp://127.0.0.1:${port}`, { reconnectInitialMs: 10, reconnectMaxMs: 20 });
    cleanups.push(() => dealer.close());
    dealer.send([bytes("early-1")]);
    dealer.send([bytes("early-2")]);
    const restarted = await bindRouter(`tcp://127.0.0.1:${port}`);
    cleanups.push(() => restarted.close());
    const received: string[] = [];
    restarted.onMessage((message) => received.push(text(message[1])));
    await waitFor(() => received.length === 2, "the queued messages");
    expect(received).toEqual(["early-1", "early-2"]);
  });

  test("reconnects after the ROUTER goes away and comes back on the same port", async () => {
    const errors: ZmtpError[] = [];
    const first = await bindRouter("tcp://127.0.0.1:0");
    const port = Number(first.endpoint.slice(first.endpoint.lastIndexOf(":") + 1));
    const dealer = connectDealer(first.endpoint, {
      reconnectInitialMs: 10,
      reconnectMaxMs: 50,
      onError: (error) => errors.push(error as ZmtpError),
    });
    cleanups.push(() => dealer.close());
    let connects = 0;
    dealer.onConnect(() => {
      connects += 1;
    });
    await waitFor(() => dealer.isConnected, "the first connection");
    await first.close();
    await waitFor(() => !dealer.isConnected, "the disconnect");
    const second = await bindRouter(`tcp://127.0.0.1:${port}`);
    cleanups.push(() => second.close());
    const received: string[] = [];
    second.onMessage((message) => received.push(text(message[1])));
    await waitFor(() => dealer.isConnected, "the reconnection");
    dealer.send([bytes("after")]);
    await waitFor(() => received.length === 1, "a message after reconnecting");
    expect(connects).toBe(2);
    expect(errors.some((error) => error.code === "kvcache_zmq_connection_lost")).toBe(true);
  });

  test("rejects invalid endpoints and options up front", () => {
    expect(() => connectDealer("udp://127.0.0.1:1")).toThrow(ZmtpError);
    expect(() => connectDealer("tcp://127.0.0.1:1", { identity: new Uint8Array([0, 1]) })).toThrow(
      /identity/,
    );
    expect(() => connectDealer("tcp://127.0.0.1:1", { reconnectInitialMs: 0 })).toThrow(/reconnectInitialMs/);
  });
});
