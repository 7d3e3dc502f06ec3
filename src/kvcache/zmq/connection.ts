// One ZMTP 3.x session over one byte stream: greeting, NULL handshake (READY), frames, PING/PONG,
// multipart assembly and write backpressure. Socket semantics (PUB, SUB, ROUTER, DEALER) live in the owners.

import type { ZmtpCommand } from "./command.ts";
import {
  encodeCommandFrame,
  encodePongFrame,
  encodeReadyFrame,
  parseCommand,
  parseErrorReason,
} from "./command.ts";
import { toZmtpError, ZmtpError } from "./errors.ts";
import { encodeMessage, FLAG_COMMAND, FLAG_MORE, FrameDecoder } from "./frame-codec.ts";
import { checkGreetingPrefix, encodeGreeting, GREETING_BYTES, parseGreeting } from "./greeting.ts";
import type { ZmtpPeer } from "./handshake.ts";
import { readPeer } from "./handshake.ts";
import type { HeartbeatConfig } from "./heartbeat.ts";
import { Heartbeat } from "./heartbeat.ts";
import type { ByteSink } from "./outbound-queue.ts";
import { OutboundQueue } from "./outbound-queue.ts";
import type { ZmtpSocketType } from "./socket-type.ts";
import type { Multipart } from "./types.ts";

/** A message of more frames than this closes the connection: bounds memory per peer (vLLM sends ≤ 5). */
const MAX_FRAMES_PER_MESSAGE = 4096;

export interface ZmtpConnectionConfig {
  readonly socketType: ZmtpSocketType;
  readonly identity?: Uint8Array | undefined;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  /** PING/PONG liveness checks, used only with ZMTP 3.1 peers; undefined = off. */
  readonly heartbeat?: HeartbeatConfig | undefined;
}

/** Callbacks of the connection's owner. They run inside socket callbacks and must not throw. */
export interface ZmtpConnectionHandlers {
  onReady(peer: ZmtpPeer): void;
  onMessage(frames: Uint8Array[]): void;
  /** Commands the connection does not handle itself (SUBSCRIBE, CANCEL, unknown ones). */
  onCommand(command: ZmtpCommand): void;
  /** Called once. `error` is undefined when the peer closed cleanly or the owner closed without error. */
  onClose(error: ZmtpError | undefined): void;
}

type Phase = "greeting" | "handshake" | "ready" | "closed";

export class ZmtpConnection {
  readonly #sink: ByteSink;
  readonly #config: ZmtpConnectionConfig;
  readonly #handlers: ZmtpConnectionHandlers;
  readonly #queue: OutboundQueue;
  readonly #decoder: FrameDecoder;
  readonly #greeting = new Uint8Array(GREETING_BYTES);
  #greetingFilled = 0;
  #phase: Phase = "greeting";
  #frames: Uint8Array[] = [];
  #peer: ZmtpPeer | undefined;
  #peerMinorVersion = 0;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: Heartbeat | undefined;
  readonly #onFrame = (flags: number, body: Uint8Array): boolean => {
    if ((flags & FLAG_COMMAND) !== 0) this.#handleCommand(flags, body);
    else this.#handleMessageFrame(flags, body);
    return this.#phase !== "closed";
  };

  constructor(sink: ByteSink, config: ZmtpConnectionConfig, handlers: ZmtpConnectionHandlers) {
    this.#sink = sink;
    this.#config = config;
    this.#handlers = handlers;
    this.#queue = new OutboundQueue(sink);
    this.#decoder = new FrameDecoder(config.maxFrameBytes);
  }

  /** Sends our greeting and READY (NULL needs no negotiation) and arms the handshake timeout. */
  start(): void {
    this.#queue.enqueue([encodeGreeting(), encodeReadyFrame(this.#config.socketType, this.#config.identity)]);
    this.#handshakeTimer = setTimeout(() => {
      this.close(new ZmtpError("kvcache_zmq_handshake_timeout", `${this.#config.handshakeTimeoutMs} ms`));
    }, this.#config.handshakeTimeoutMs);
  }

  get isReady(): boolean {
    return this.#phase === "ready";
  }

  get isClosed(): boolean {
    return this.#phase === "closed";
  }

  /** The peer's READY metadata; undefined before the handshake completes. */
  get peer(): ZmtpPeer | undefined {
    return this.#peer;
  }

  /** Whether the peer speaks ZMTP ≥ 3.1 (SUBSCRIBE/CANCEL/PING commands). */
  get isPeerAtLeast31(): boolean {
    return this.#peerMinorVersion >= 1;
  }

  /** Messages queued but not yet written; owners compare it with their high-water mark. */
  get queuedMessages(): number {
    return this.#queue.queuedMessages;
  }

  /** Queues a message; ignored unless the handshake is complete. */
  send(message: Multipart): void {
    if (this.#phase === "ready") this.#queue.enqueue(encodeMessage(message));
  }

  /** Queues a message already encoded with encodeMessage (shared by all PUB subscribers). */
  sendEncoded(pieces: readonly Uint8Array[]): void {
    if (this.#phase === "ready") this.#queue.enqueue(pieces);
  }

  sendCommand(name: string, data: Uint8Array): void {
    if (this.#phase === "ready") this.#queue.enqueue([encodeCommandFrame(name, data)]);
  }

  /** Feeds received bytes. Never throws: malformed input closes the connection with an error. */
  handleData(chunk: Uint8Array): void {
    try {
      this.#heartbeat?.noteActivity();
      let rest = chunk;
      if (this.#phase === "greeting") rest = this.#readGreeting(chunk);
      if (this.#phase === "closed" || rest.length === 0) return;
      this.#decoder.push(rest, this.#onFrame);
    } catch (error) {
      this.close(toZmtpError(error));
    }
  }

  handleDrain(): void {
    this.#queue.handleDrain();
  }

  /** The socket closed underneath us (peer FIN/RST or a socket error). */
  handleSocketClosed(error?: Error): void {
    this.#finish(error === undefined ? undefined : toZmtpError(error, "kvcache_zmq_connection_lost"));
  }

  /** Closes the connection (unsent data is dropped) and reports `error` to the owner once. */
  close(error?: ZmtpError): void {
    if (this.#phase === "closed") return;
    this.#finish(error);
    this.#sink.end();
  }

  #finish(error: ZmtpError | undefined): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    clearTimeout(this.#handshakeTimer);
    this.#heartbeat?.stop();
    this.#queue.close();
    this.#frames = [];
    this.#handlers.onClose(error);
  }

  /** Consumes greeting bytes; returns the rest of the chunk once the greeting is complete. */
  #readGreeting(chunk: Uint8Array): Uint8Array {
    const take = Math.min(GREETING_BYTES - this.#greetingFilled, chunk.length);
    this.#greeting.set(chunk.subarray(0, take), this.#greetingFilled);
    this.#greetingFilled += take;
    checkGreetingPrefix(this.#greeting, this.#greetingFilled);
    if (this.#greetingFilled < GREETING_BYTES) return chunk.subarray(chunk.length);
    const greeting = parseGreeting(this.#greeting);
    // A peer announcing a newer major version talks 3.x down to us; it knows every 3.1 command.
    this.#peerMinorVersion = greeting.majorVersion > 3 ? 1 : greeting.minorVersion;
    this.#phase = "handshake";
    return chunk.subarray(take);
  }

  #handleCommand(flags: number, body: Uint8Array): void {
    if ((flags & FLAG_MORE) !== 0 || this.#frames.length > 0) {
      throw new ZmtpError("kvcache_zmq_bad_command", "command frame inside a multipart message");
    }
    const command = parseCommand(body);
    if (this.#phase === "handshake") {
      this.#completeHandshake(command);
      return;
    }
    switch (command.name) {
      case "PING":
        this.#queue.enqueue([encodePongFrame(command.data)]);
        return;
      case "PONG":
        return;
      case "ERROR":
        throw new ZmtpError("kvcache_zmq_peer_error", parseErrorReason(command.data));
      case "READY":
        throw new ZmtpError("kvcache_zmq_bad_command", "second READY");
      default:
        this.#handlers.onCommand(command);
    }
  }

  #completeHandshake(command: ZmtpCommand): void {
    if (command.name === "ERROR") {
      throw new ZmtpError("kvcache_zmq_peer_error", parseErrorReason(command.data));
    }
    if (command.name !== "READY") {
      throw new ZmtpError("kvcache_zmq_bad_command", `expected READY, got ${command.name}`);
    }
    this.#peer = readPeer(this.#config.socketType, command.data);
    this.#phase = "ready";
    clearTimeout(this.#handshakeTimer);
    this.#startHeartbeat();
    this.#handlers.onReady(this.#peer);
  }

  #startHeartbeat(): void {
    const config = this.#config.heartbeat;
    if (config === undefined || !this.isPeerAtLeast31) return;
    this.#heartbeat = new Heartbeat(
      config,
      (pingData) => this.sendCommand("PING", pingData),
      () => this.close(new ZmtpError("kvcache_zmq_heartbeat_timeout", `${config.timeoutMs} ms of silence`)),
    );
    this.#heartbeat.start();
  }

  #handleMessageFrame(flags: number, body: Uint8Array): void {
    if (this.#phase !== "ready") {
      throw new ZmtpError("kvcache_zmq_bad_frame", "message frame before READY");
    }
    this.#frames.push(body);
    if ((flags & FLAG_MORE) !== 0) {
      if (this.#frames.length >= MAX_FRAMES_PER_MESSAGE) {
        throw new ZmtpError(
          "kvcache_zmq_bad_frame",
          `more than ${MAX_FRAMES_PER_MESSAGE} frames in a message`,
        );
      }
      return;
    }
    const frames = this.#frames;
    this.#frames = [];
    this.#handlers.onMessage(frames);
  }
}
