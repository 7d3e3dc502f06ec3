// Connect side shared by SUB and DEALER: one live connection at a time, reconnecting with backoff.
// Every failure callback of an attempt (connectError, the rejected promise, close, error, a protocol
// error) funnels into one idempotent #fail, so an attempt schedules at most one reconnect.

import type { Socket } from "bun";
import type { Backoff } from "./backoff.ts";
import { createBackoff } from "./backoff.ts";
import type { ZmtpCommand } from "./command.ts";
import type { ZmtpConnectionConfig } from "./connection.ts";
import { ZmtpConnection } from "./connection.ts";
import type { TcpEndpoint } from "./endpoint.ts";
import { formatTcpEndpoint } from "./endpoint.ts";
import { ZmtpError } from "./errors.ts";
import { toByteSink } from "./listener.ts";
import type { ResolvedConnectOptions } from "./options.ts";

export interface ConnectorHandlers {
  /** The handshake completed on a new connection. */
  onReady(connection: ZmtpConnection): void;
  onMessage(frames: Uint8Array[]): void;
  onCommand(command: ZmtpCommand): void;
}

export class ZmtpConnector {
  readonly #target: TcpEndpoint;
  readonly #config: ZmtpConnectionConfig;
  readonly #options: ResolvedConnectOptions;
  readonly #handlers: ConnectorHandlers;
  readonly #backoff: Backoff;
  /** Generation of the current attempt; callbacks carrying an older one are ignored. */
  #attempt = 0;
  #connection: ZmtpConnection | undefined;
  #socket: Socket<undefined> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #isClosed = false;
  /** close() waits for this socket's close event. */
  #closing: { socket: Socket<undefined>; resolve: () => void } | undefined;

  constructor(
    target: TcpEndpoint,
    config: ZmtpConnectionConfig,
    options: ResolvedConnectOptions,
    handlers: ConnectorHandlers,
  ) {
    this.#target = target;
    this.#config = config;
    this.#options = options;
    this.#handlers = handlers;
    this.#backoff = createBackoff(options.reconnectInitialMs, options.reconnectMaxMs);
  }

  /** The connection when its handshake is complete, else undefined. */
  get readyConnection(): ZmtpConnection | undefined {
    return this.#connection?.isReady === true ? this.#connection : undefined;
  }

  start(): void {
    this.#connect();
  }

  /** Stops reconnecting and closes the socket; resolves once the socket is closed. */
  close(): Promise<void> {
    if (this.#isClosed) return Promise.resolve();
    this.#isClosed = true;
    this.#attempt += 1;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    const connection = this.#connection;
    this.#connection = undefined;
    this.#socket = undefined;
    if (socket === undefined || socket.readyState <= 0) {
      connection?.close();
      return Promise.resolve();
    }
    const closed = new Promise<void>((resolve) => {
      this.#closing = { socket, resolve };
    });
    connection?.close();
    socket.end();
    return closed;
  }

  #connect(): void {
    const attempt = ++this.#attempt;
    const fail = (error: Error): void => {
      this.#fail(attempt, new ZmtpError("kvcache_zmq_connect_failed", this.#describe(), { cause: error }));
    };
    try {
      Bun.connect({
        hostname: this.#target.host,
        port: this.#target.port,
        socket: this.#socketHandlers(attempt, fail),
      }).then((socket) => {
        if (attempt !== this.#attempt) socket.end();
      }, fail);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #socketHandlers(attempt: number, fail: (error: Error) => void) {
    const isCurrent = (): boolean => attempt === this.#attempt;
    const gone = (socket: Socket<undefined>, error?: Error): void => {
      if (socket === this.#socket) this.#socket = undefined;
      if (isCurrent()) this.#connection?.handleSocketClosed(error ?? this.#lostError());
      if (this.#closing?.socket === socket) this.#closing.resolve();
    };
    return {
      open: (socket: Socket<undefined>): void => {
        if (!isCurrent()) {
          socket.end();
          return;
        }
        this.#socket = socket;
        this.#connection = this.#createConnection(attempt, socket);
        this.#connection.start();
      },
      data: (_socket: Socket<undefined>, chunk: Uint8Array): void => {
        if (isCurrent()) this.#connection?.handleData(chunk);
      },
      drain: (): void => {
        if (isCurrent()) this.#connection?.handleDrain();
      },
      close: (socket: Socket<undefined>, error?: Error): void => gone(socket, error),
      error: (socket: Socket<undefined>, error: Error): void => gone(socket, error),
      connectError: (_socket: Socket<undefined>, error: Error): void => fail(error),
    };
  }

  #createConnection(attempt: number, socket: Socket<undefined>): ZmtpConnection {
    return new ZmtpConnection(toByteSink(socket), this.#config, {
      onReady: () => {
        this.#backoff.reset();
        const connection = this.#connection;
        if (connection !== undefined) this.#handlers.onReady(connection);
      },
      onMessage: (frames) => this.#handlers.onMessage(frames),
      onCommand: (command) => this.#handlers.onCommand(command),
      onClose: (error) => this.#fail(attempt, error ?? this.#lostError()),
    });
  }

  /** The single reconnect path: the first failure of the current attempt schedules the next one. */
  #fail(attempt: number, error: ZmtpError): void {
    if (attempt !== this.#attempt || this.#isClosed) return;
    this.#attempt += 1;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.close();
    this.#retryTimer = setTimeout(() => this.#connect(), this.#backoff.nextDelayMs());
    this.#options.onError(error);
  }

  #lostError(): ZmtpError {
    return new ZmtpError("kvcache_zmq_connection_lost", this.#describe());
  }

  #describe(): string {
    return formatTcpEndpoint(this.#target.host, this.#target.port);
  }
}
