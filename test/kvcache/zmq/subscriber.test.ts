// SUB socket: interop with a real libzmq PUB shaped like vLLM's, reconnects, and hostile publishers.
import { afterEach, describe, expect, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import { encodeCommandFrame, encodeReadyFrame, parseCommand } from "../../../src/kvcache/zmq/command.ts";
import { FLAG_COMMAND, FLAG_LONG, FrameDecoder } from "../../../src/kvcache/zmq/frame-codec.ts";
import { encodeGreeting, GREETING_BYTES } from "../../../src/kvcache/zmq/greeting.ts";
import {
  bindPublisher,
  connectSubscriber,
  type Multipart,
  type ZmqConnectOptions,
  type ZmqSubscriber,
  ZmtpError,
} from "../../../src/kvcache/zmq/index.ts";
import { hex, readSeq8 } from "./frame-values.ts";
import { PythonPeer } from "./python-peer.ts";
import { waitFor } from "./wait-for.ts";

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A SUB on `endpoint` subscribed to `topics` plus "sync"; splits sync markers from data messages. */
function syncedSubscriber(endpoint: string, topics: readonly string[], options: ZmqConnectOptions = {}) {
  const errors: Error[] = [];
  const state = { syncCount: 0, endCount: 0, connects: 0, received: [] as Multipart[] };
  const sub = connectSubscriber(endpoint, {
    reconnectInitialMs: 20,
    reconnectMaxMs: 200,
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanups.push(() => sub.close());
  sub.onConnect(() => {
    state.connects += 1;
  });
  sub.onMessage((message) => {
    if (text(message[0]) !== "sync") state.received.push(message);
    else if (text(message[2]) === "end") state.endCount += 1;
    else state.syncCount += 1;
  });
  for (const topic of topics) sub.subscribe(topic);
  sub.subscribe("sync");
  return { sub, state, errors };
}

async function startPython(script: string, args: readonly string[]): Promise<PythonPeer> {
  const peer = new PythonPeer(script, args);
  cleanups.push(() => peer.kill());
  return peer;
}

/** libzmq_pub.py payload sizes: 300 bytes (LONG frame) at index 1, 1 MiB at index 2, else 16. */
function expectedPayload(index: number): Uint8Array {
  const size = index === 1 ? 300 : index === 2 ? 1024 * 1024 : 16;
  return new Uint8Array(size).fill(index % 256);
}

describe("connectSubscriber against libzmq PUB", () => {
  test("keeps a silent connection alive with heartbeats answered by libzmq", async () => {
    const pub = await startPython("libzmq_pub.py", ["--count", "1", "--topics", "kv@a"]);
    const endpoint = `tcp://127.0.0.1:${await pub.port()}`;
    const { sub, state, errors } = syncedSubscriber(endpoint, ["kv@"], { heartbeatIntervalMs: 20 });
    await waitFor(() => state.syncCount > 0, "the first sync message");
    pub.writeLine("go");
    await waitFor(() => state.endCount === 1, "the end marker");
    // The publisher is now silent: only PONGs arrive. 300 ms is five heartbeat timeouts.
    await Bun.sleep(300);
    expect(sub.isConnected).toBe(true);
    expect(state.connects).toBe(1);
    expect(errors).toEqual([]);
  });

  test("receives exactly the published [topic, seq, payload] messages in order, filtered by prefix", async () => {
    const topics = ["kv@a", "kv@b", "kv@c", "other"];
    const pub = await startPython("libzmq_pub.py", ["--count", "12", "--topics", topics.join(",")]);
    const { state, errors } = syncedSubscriber(`tcp://127.0.0.1:${await pub.port()}`, ["kv@"]);
    await waitFor(() => state.syncCount > 0, "the first sync message");
    pub.writeLine("go");
    await waitFor(() => state.endCount === 1, "the end marker");

    const expectedIndexes = [0, 1, 2, 4, 5, 6, 8, 9, 10];
    expect(state.received.map((message) => Number(readSeq8(message[1]!)))).toEqual(expectedIndexes);
    for (const [position, index] of expectedIndexes.entries()) {
      const message = state.received[position]!;
      expect(message.length).toBe(3);
      expect(text(message[0])).toBe(topics[index % topics.length]!);
      expect(Buffer.compare(message[2]!, expectedPayload(index))).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  test("reconnects after the publisher restarts on the same port and re-sends its subscriptions", async () => {
    const first = await startPython("libzmq_pub.py", ["--count", "3", "--topics", "kv@a"]);
    const port = await first.port();
    const { sub, state, errors } = syncedSubscriber(`tcp://127.0.0.1:${port}`, ["kv@"]);
    await waitFor(() => state.syncCount > 0, "sync from the first publisher");
    first.writeLine("go");
    await waitFor(() => state.endCount === 1, "the first end marker");
    await first.kill();
    await waitFor(() => !sub.isConnected, "the disconnect");

    const second = await startPython("libzmq_pub.py", [
      "--port",
      String(port),
      "--count",
      "3",
      "--topics",
      "kv@a",
    ]);
    await second.port();
    state.syncCount = 0;
    await waitFor(() => state.syncCount > 0, "sync from the restarted publisher");
    second.writeLine("go");
    await waitFor(() => state.endCount === 2, "the second end marker");

    expect(state.received.map((message) => Number(readSeq8(message[1]!)))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(state.connects).toBe(2);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error instanceof ZmtpError)).toBe(true);
  });
});

/** A raw TCP server that plays a PUB by hand, to send what libzmq never would. */
function rawPublisher(onReady: (socket: Socket<number>) => void, sendGreeting = true, minor = 1) {
  /** Bytes received per accepted connection, in accept order. */
  const received: Uint8Array[][] = [];
  const state = { accepted: 0, closed: 0 };
  const server: TCPSocketListener<number> = Bun.listen<number>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        state.accepted += 1;
        socket.data = received.push([]) - 1;
        if (sendGreeting) {
          const greeting = encodeGreeting();
          greeting[11] = minor;
          socket.write(greeting);
          socket.write(encodeReadyFrame("PUB"));
        }
        onReady(socket);
      },
      data(socket, chunk) {
        received[socket.data]?.push(new Uint8Array(chunk));
      },
      close() {
        state.closed += 1;
      },
    },
  });
  cleanups.push(() => server.stop(true));
  return { endpoint: `tcp://127.0.0.1:${server.port}`, received, state };
}

function clientSubscriber(endpoint: string, maxFrameBytes?: number, options: ZmqConnectOptions = {}) {
  const errors: ZmtpError[] = [];
  const sub: ZmqSubscriber = connectSubscriber(endpoint, {
    ...options,
    maxFrameBytes,
    reconnectInitialMs: 10,
    reconnectMaxMs: 50,
    onError: (error) => errors.push(error as ZmtpError),
  });
  cleanups.push(() => sub.close());
  sub.subscribe("");
  return { sub, errors };
}

/** Frames we received after the greeting, as "C:NAME:hexdata" for commands and "M:hex" for messages. */
function receivedFrames(received: readonly Uint8Array[] = []): string[] {
  const frames: string[] = [];
  const all = Buffer.concat(received);
  if (all.length <= GREETING_BYTES) return frames;
  new FrameDecoder(1 << 20).push(all.subarray(GREETING_BYTES), (flags, body) => {
    if ((flags & FLAG_COMMAND) === 0) frames.push(`M:${hex(body)}`);
    else frames.push(`C:${parseCommand(body).name}:${hex(parseCommand(body).data)}`);
    return true;
  });
  return frames;
}

describe("connectSubscriber against a hand-driven publisher", () => {
  test("subscribes to a ZMTP 3.0 publisher with a 0x01-prefixed message", async () => {
    const server = rawPublisher(() => {}, true, 0);
    const { sub } = clientSubscriber(server.endpoint);
    sub.subscribe("kv");
    await waitFor(() => receivedFrames(server.received[0]).length >= 3, "READY and two subscriptions");
    expect(receivedFrames(server.received[0]).slice(1)).toEqual([
      "M:01",
      `M:01${hex(new TextEncoder().encode("kv"))}`,
    ]);
  });

  test("closes the connection on a garbage greeting, reports it and keeps retrying", async () => {
    const server = rawPublisher((socket) => socket.write("HTTP/1.1 400 Bad Request\r\n\r\n"), false);
    const { errors } = clientSubscriber(server.endpoint);
    await waitFor(() => server.state.closed >= 2, "two rejected connections");
    expect(errors[0]?.code).toBe("kvcache_zmq_bad_greeting");
    expect(server.state.accepted).toBeGreaterThanOrEqual(2);
  });

  test("closes the connection on a frame larger than maxFrameBytes", async () => {
    const header = new Uint8Array(9);
    header[0] = FLAG_LONG;
    new DataView(header.buffer).setBigUint64(1, 2048n);
    const server = rawPublisher((socket) => socket.write(header));
    const { errors } = clientSubscriber(server.endpoint, 1024);
    await waitFor(() => server.state.closed >= 1, "the connection to close");
    expect(errors[0]?.code).toBe("kvcache_zmq_frame_too_large");
  });

  test("closes and reconnects when a silent peer does not answer heartbeats", async () => {
    const server = rawPublisher(() => {});
    const { errors } = clientSubscriber(server.endpoint, undefined, {
      heartbeatIntervalMs: 10,
      heartbeatTimeoutMs: 30,
    });
    await waitFor(() => server.state.accepted >= 2, "a reconnect");
    expect(errors[0]?.code).toBe("kvcache_zmq_heartbeat_timeout");
    expect(receivedFrames(server.received[0])).toContain("C:PING:0001");
  });

  test("answers PING with a PONG echoing the context", async () => {
    const ping = encodeCommandFrame("PING", new Uint8Array([0, 10, 0xca, 0xfe]));
    const server = rawPublisher((socket) => socket.write(ping));
    clientSubscriber(server.endpoint);
    await waitFor(() => receivedFrames(server.received[0]).includes("C:PONG:cafe"), "a PONG");
    expect(receivedFrames(server.received[0])).toContain("C:SUBSCRIBE:");
  });
});

describe("connectSubscriber handlers", () => {
  test("a throwing handler is reported and neither stops later handlers nor the connection", async () => {
    const pub = await bindPublisher("tcp://127.0.0.1:0");
    cleanups.push(() => pub.close());
    const { sub, errors } = clientSubscriber(pub.endpoint);
    const received: string[] = [];
    sub.onMessage(() => {
      throw new Error("handler bug");
    });
    sub.onMessage((message) => received.push(text(message[0])));
    const timer = setInterval(() => pub.send([new TextEncoder().encode("tick")]), 10);
    try {
      await waitFor(() => received.length >= 3, "three messages");
    } finally {
      clearInterval(timer);
    }
    expect(sub.isConnected).toBe(true);
    expect(errors[0]?.code).toBe("kvcache_zmq_handler_failed");
    const cause = errors[0]?.cause;
    expect(cause instanceof Error ? cause.message : cause).toBe("handler bug");
  });
});
