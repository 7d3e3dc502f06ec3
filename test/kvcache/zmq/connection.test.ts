// One ZMTP session over a fake byte stream: handshake, command handling and protocol violations.
import { describe, expect, test } from "bun:test";
import { encodeCommandFrame, encodeReadyFrame, parseCommand } from "../../../src/kvcache/zmq/command.ts";
import { ZmtpConnection, type ZmtpConnectionHandlers } from "../../../src/kvcache/zmq/connection.ts";
import type { ZmtpError } from "../../../src/kvcache/zmq/errors.ts";
import { encodeFrame, FLAG_COMMAND, FLAG_MORE, FrameDecoder } from "../../../src/kvcache/zmq/frame-codec.ts";
import { encodeGreeting, GREETING_BYTES } from "../../../src/kvcache/zmq/greeting.ts";
import type { ZmtpSocketType } from "../../../src/kvcache/zmq/socket-type.ts";
import { FakeSink } from "./fake-sink.ts";
import { waitFor } from "./wait-for.ts";

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const tick = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

function open(socketType: ZmtpSocketType = "DEALER", handshakeTimeoutMs = 10_000) {
  const sink = new FakeSink();
  const events = {
    ready: 0,
    messages: [] as string[][],
    commands: [] as string[],
    closes: [] as (ZmtpError | undefined)[],
  };
  const handlers: ZmtpConnectionHandlers = {
    onReady: () => {
      events.ready += 1;
    },
    onMessage: (frames) => events.messages.push(frames.map((frame) => new TextDecoder().decode(frame))),
    onCommand: (command) => events.commands.push(command.name),
    onClose: (error) => events.closes.push(error),
  };
  const connection = new ZmtpConnection(
    sink,
    { socketType, maxFrameBytes: 1024, handshakeTimeoutMs },
    handlers,
  );
  connection.start();
  return { connection, sink, events };
}

function peerGreeting(minor = 1): Uint8Array {
  const greeting = encodeGreeting();
  greeting[11] = minor;
  return greeting;
}

/** Commands we wrote after our greeting, as "NAME". */
function writtenCommands(sink: FakeSink): string[] {
  const names: string[] = [];
  new FrameDecoder(1 << 20).push(sink.bytes.subarray(GREETING_BYTES), (flags, body) => {
    if ((flags & FLAG_COMMAND) !== 0) names.push(parseCommand(body).name);
    return true;
  });
  return names;
}

describe("ZmtpConnection", () => {
  test("sends greeting and READY, then handles greeting, READY and messages arriving in one chunk", async () => {
    const { connection, sink, events } = open();
    const chunk = Buffer.concat([
      peerGreeting(),
      encodeReadyFrame("ROUTER"),
      encodeFrame(FLAG_MORE, ascii("a")),
      encodeFrame(0, ascii("b")),
      encodeFrame(0, ascii("c")),
    ]);
    connection.handleData(chunk);
    await tick();
    expect(writtenCommands(sink)).toEqual(["READY"]);
    expect(events.ready).toBe(1);
    expect(connection.peer?.socketType).toBe("ROUTER");
    expect(connection.isPeerAtLeast31).toBe(true);
    expect(events.messages).toEqual([["a", "b"], ["c"]]);
  });

  test("recognises a ZMTP 3.0 peer", () => {
    const { connection } = open();
    connection.handleData(Buffer.concat([peerGreeting(0), encodeReadyFrame("ROUTER")]));
    expect(connection.isReady).toBe(true);
    expect(connection.isPeerAtLeast31).toBe(false);
  });

  test("answers PING, ignores PONG and hands SUBSCRIBE to its owner", async () => {
    const { connection, sink, events } = open("PUB");
    connection.handleData(Buffer.concat([peerGreeting(), encodeReadyFrame("SUB")]));
    connection.handleData(encodeCommandFrame("PING", new Uint8Array([0, 1])));
    connection.handleData(encodeCommandFrame("PONG"));
    connection.handleData(encodeCommandFrame("SUBSCRIBE", ascii("kv")));
    await tick();
    expect(writtenCommands(sink)).toEqual(["READY", "PONG"]);
    expect(events.commands).toEqual(["SUBSCRIBE"]);
  });

  const violations: [string, Uint8Array[], string][] = [
    ["a message before READY", [peerGreeting(), encodeFrame(0, ascii("x"))], "kvcache_zmq_bad_frame"],
    [
      "a command other than READY first",
      [peerGreeting(), encodeCommandFrame("PING", new Uint8Array(2))],
      "kvcache_zmq_bad_command",
    ],
    [
      "an incompatible socket type",
      [peerGreeting(), encodeReadyFrame("PUB")],
      "kvcache_zmq_incompatible_peer",
    ],
    ["a READY without Socket-Type", [peerGreeting(), encodeCommandFrame("READY")], "kvcache_zmq_bad_command"],
    [
      "a second READY",
      [peerGreeting(), encodeReadyFrame("ROUTER"), encodeReadyFrame("ROUTER")],
      "kvcache_zmq_bad_command",
    ],
    [
      "a command inside a multipart message",
      [
        peerGreeting(),
        encodeReadyFrame("ROUTER"),
        encodeFrame(FLAG_MORE, ascii("a")),
        encodeCommandFrame("PONG"),
      ],
      "kvcache_zmq_bad_command",
    ],
    [
      "an ERROR command",
      [peerGreeting(), encodeCommandFrame("ERROR", new Uint8Array([3, 98, 97, 100]))],
      "kvcache_zmq_peer_error",
    ],
    [
      "an oversized frame",
      [peerGreeting(), encodeReadyFrame("ROUTER"), encodeFrame(0, new Uint8Array(2000))],
      "kvcache_zmq_frame_too_large",
    ],
    ["a non-ZMTP greeting", [ascii("SSH-2.0-OpenSSH_9.2\r\n")], "kvcache_zmq_bad_greeting"],
  ];

  test.each(violations)("closes the connection on %s", (_name, chunks, code) => {
    const { connection, sink, events } = open();
    for (const chunk of chunks) connection.handleData(chunk);
    expect(connection.isClosed).toBe(true);
    expect(sink.isEnded).toBe(true);
    expect(events.closes.map((error) => String(error?.code))).toEqual([code]);
  });

  test("closes a message of too many frames", () => {
    const { connection, events } = open();
    connection.handleData(Buffer.concat([peerGreeting(), encodeReadyFrame("ROUTER")]));
    const frame = encodeFrame(FLAG_MORE, new Uint8Array(0));
    for (let index = 0; index < 5000 && !connection.isClosed; index += 1) connection.handleData(frame);
    expect(events.closes[0]?.code).toBe("kvcache_zmq_bad_frame");
  });

  test("closes a peer that does not finish the handshake in time", async () => {
    const { connection, events } = open("DEALER", 20);
    connection.handleData(peerGreeting().subarray(0, 30));
    await waitFor(() => connection.isClosed, "the handshake timeout", 2000);
    expect(events.closes[0]?.code).toBe("kvcache_zmq_handshake_timeout");
  });

  test("reports its close once and ignores data afterwards", () => {
    const { connection, events } = open();
    connection.close();
    connection.handleSocketClosed(new Error("reset"));
    connection.handleData(peerGreeting());
    connection.send([ascii("late")]);
    expect(events.closes).toEqual([undefined]);
    expect(events.ready).toBe(0);
  });
});
