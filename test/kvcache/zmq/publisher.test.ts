// PUB socket: interop with a real libzmq SUB, our own SUB, ZMTP 3.0 subscribers and the high-water mark.
import { afterEach, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { encodeCommandFrame, encodeReadyFrame } from "../../../src/kvcache/zmq/command.ts";
import { encodeFrame, FrameDecoder } from "../../../src/kvcache/zmq/frame-codec.ts";
import { encodeGreeting, GREETING_BYTES } from "../../../src/kvcache/zmq/greeting.ts";
import {
  bindPublisher,
  connectSubscriber,
  type Multipart,
  type ZmqPublisher,
  type ZmtpError,
} from "../../../src/kvcache/zmq/index.ts";
import { bytes, hex, readSeq8, seq8 } from "./frame-values.ts";
import { PythonPeer } from "./python-peer.ts";
import { waitFor } from "./wait-for.ts";

const text = (value: Uint8Array | undefined): string => new TextDecoder().decode(value);
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function publisher(hwm?: number): Promise<ZmqPublisher> {
  const pub = await bindPublisher("tcp://127.0.0.1:0", { sendHighWaterMark: hwm });
  cleanups.push(() => pub.close());
  return pub;
}

/** Sends sync messages every 10 ms until `isSynced()`: PUB/SUB has no delivery before the subscription lands. */
async function syncUntil(pub: ZmqPublisher, isSynced: () => boolean): Promise<void> {
  const timer = setInterval(() => pub.send([bytes("sync"), seq8(0), new Uint8Array(0)]), 10);
  try {
    await waitFor(isSynced, "subscriber sync");
  } finally {
    clearInterval(timer);
  }
}

describe("bindPublisher", () => {
  test("binds port 0 and reports the real port; * binds all interfaces", async () => {
    const local = await publisher();
    expect(local.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const any = await bindPublisher("tcp://*:0");
    cleanups.push(() => any.close());
    expect(any.endpoint).toMatch(/^tcp:\/\/0\.0\.0\.0:[1-9]\d*$/);
  });

  test("rejects an endpoint that is already bound", async () => {
    const pub = await publisher();
    await expect(bindPublisher(pub.endpoint)).rejects.toThrow();
  });

  test("a libzmq SUB receives the subscribed topics, including LONG frames, and not the others", async () => {
    const pub = await publisher();
    const sub = new PythonPeer("libzmq_sub.py", [pub.endpoint, "--topic", "kv@"]);
    cleanups.push(() => sub.kill());
    await syncUntil(pub, () => sub.lines.includes("SYNCED"));
    const messages: Multipart[] = [
      [bytes("kv@a"), seq8(0), bytes("small")],
      [bytes("other"), seq8(1), bytes("not subscribed")],
      [bytes("kv@b"), seq8(2), new Uint8Array(300).fill(7)],
      [bytes("kv"), seq8(3), bytes("prefix too short")],
      [bytes("kv@c"), seq8(4), new Uint8Array(100_000).fill(9)],
    ];
    for (const message of messages) pub.send(message);
    pub.send([bytes("end")]);
    await sub.waitForLine((line) => line === "DONE");

    const received = sub.lines.filter((line) => line.startsWith("MSG "));
    const expected = [0, 2, 4].map((index) => `MSG ${messages[index]!.map(hex).join(",")}`);
    expect(received).toEqual(expected);
  });

  test("our SUB receives in order, filtered by prefix, with frames of 0 B to 1 MiB", async () => {
    const pub = await publisher();
    const sub = connectSubscriber(pub.endpoint);
    cleanups.push(() => sub.close());
    const received: Multipart[] = [];
    sub.onMessage((message) => received.push(message));
    sub.subscribe("kv@");
    sub.subscribe("sync");
    await syncUntil(pub, () => received.length > 0);
    expect(pub.subscriberCount).toBe(1);
    received.length = 0;

    const sizes = [0, 1, 255, 256, 65_536, 1024 * 1024];
    for (const [index, size] of sizes.entries()) {
      pub.send([bytes("other"), seq8(index), new Uint8Array(size)]);
      pub.send([bytes(`kv@${index}`), seq8(index), new Uint8Array(size).fill(index + 1)]);
    }
    await waitFor(() => received.length === sizes.length, "all kv@ messages");
    for (const [index, message] of received.entries()) {
      expect(text(message[0])).toBe(`kv@${index}`);
      expect(readSeq8(message[1]!)).toBe(BigInt(index));
      expect(Buffer.compare(message[2]!, new Uint8Array(sizes[index]!).fill(index + 1))).toBe(0);
    }
  });

  test("honours ZMTP 3.0 subscriptions (0x01/0x00-prefixed messages) and 3.1 CANCEL", async () => {
    const pub = await publisher();
    const client = await rawSubscriber(pub.endpoint, 0);
    client.socket.write(encodeFrame(0, new Uint8Array([1, ...bytes("a")])));
    client.socket.write(encodeFrame(0, new Uint8Array([1, ...bytes("sync")])));
    await syncUntil(pub, () => client.messages.length > 0);
    pub.send([bytes("a1")]);
    pub.send([bytes("b1")]);
    await waitFor(() => client.messages.some((message) => message === "a1"), "a1");
    client.socket.write(encodeFrame(0, new Uint8Array([0, ...bytes("a")])));
    client.socket.write(encodeCommandFrame("CANCEL", bytes("sync")));
    client.socket.write(encodeCommandFrame("SUBSCRIBE", bytes("c")));
    client.socket.write(encodeCommandFrame("SUBSCRIBE", bytes("sync2")));
    const before = client.messages.length;
    const timer = setInterval(() => pub.send([bytes("sync2")]), 10);
    await waitFor(() => client.messages.includes("sync2"), "the second sync").finally(() =>
      clearInterval(timer),
    );
    pub.send([bytes("a2")]);
    pub.send([bytes("c2")]);
    await waitFor(() => client.messages.includes("c2"), "c2");
    const after = client.messages.slice(before).filter((message) => !message.startsWith("sync"));
    expect(after).toEqual(["c2"]);
  });

  test("drops a peer that connects but never greets once the handshake timeout passes", async () => {
    const errors: ZmtpError[] = [];
    const pub = await bindPublisher("tcp://127.0.0.1:0", {
      handshakeTimeoutMs: 30,
      onError: (error) => errors.push(error as ZmtpError),
    });
    cleanups.push(() => pub.close());
    let isClosed = false;
    const port = Number(pub.endpoint.slice(pub.endpoint.lastIndexOf(":") + 1));
    const silent = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data() {},
        close() {
          isClosed = true;
        },
      },
    });
    cleanups.push(() => {
      silent.end();
    });
    await waitFor(() => isClosed, "the silent peer to be dropped");
    expect(errors.map((error) => error.code)).toEqual(["kvcache_zmq_handshake_timeout"]);
    expect(pub.subscriberCount).toBe(0);
  });

  test("drops messages for a subscriber that stops reading once its high-water mark is reached", async () => {
    const pub = await publisher(4);
    const slow = await rawSubscriber(pub.endpoint, 1);
    slow.socket.write(encodeCommandFrame("SUBSCRIBE", new Uint8Array(0)));
    await syncUntil(pub, () => slow.messages.length > 0);
    slow.socket.pause();
    const payload = new Uint8Array(256 * 1024);
    const sent = 200;
    for (let index = 0; index < sent; index += 1) {
      pub.send([bytes("big"), payload]);
      await Bun.sleep(0);
    }
    const deliveredWhilePaused = slow.messages.filter((message) => message === "big").length;
    slow.socket.resume();
    const timer = setInterval(() => pub.send([bytes("end")]), 10);
    await waitFor(() => slow.messages.includes("end"), "the end marker").finally(() => clearInterval(timer));
    const delivered = slow.messages.filter((message) => message === "big").length;
    expect(deliveredWhilePaused).toBe(0);
    expect(delivered).toBeGreaterThanOrEqual(4);
    expect(delivered).toBeLessThan(sent);
  });
});

/** A hand-driven subscriber greeting as ZMTP 3.`minor`; collects frame-0 texts of received messages. */
async function rawSubscriber(endpoint: string, minor: number) {
  const port = Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
  const messages: string[] = [];
  const decoder = new FrameDecoder(1 << 24);
  let greetingLeft = GREETING_BYTES;
  let isFirstFrame = true;
  const socket: Socket<undefined> = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_socket, chunk) {
        const skip = Math.min(greetingLeft, chunk.length);
        greetingLeft -= skip;
        decoder.push(chunk.subarray(skip), (flags, body) => {
          if (isFirstFrame && (flags & 4) === 0) messages.push(text(body));
          isFirstFrame = (flags & 1) === 0;
          return true;
        });
      },
    },
  });
  cleanups.push(() => {
    socket.end();
  });
  const greeting = encodeGreeting();
  greeting[11] = minor;
  socket.write(greeting);
  socket.write(encodeReadyFrame("SUB"));
  return { socket, messages };
}
