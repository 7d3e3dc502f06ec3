// Contract of the ZMTP 3.x transport (PUB, SUB, ROUTER, DEALER over TCP, NULL security).

/** A multipart message: one Uint8Array per frame. */
export type Multipart = readonly Uint8Array[];

export interface ZmqPublisher {
  /** Bound address, e.g. tcp://127.0.0.1:5557 (with the real port when bound to 0). */
  readonly endpoint: string;
  /** Sends to every connected subscriber whose subscription prefixes frame 0. Never blocks; drops per
   * subscriber beyond its high-water mark (like libzmq PUB). */
  send(message: Multipart): void;
  /** Number of connected subscriber sessions. */
  readonly subscriberCount: number;
  close(): Promise<void>;
}

export interface ZmqSubscriber {
  /** Adds a topic prefix (sent to the publisher; re-sent after every reconnect). "" = everything. */
  subscribe(prefix: string | Uint8Array): void;
  /** Messages are delivered in order to this callback. Frames may be views into a larger receive buffer:
   * slice() the ones kept for long. */
  onMessage(handler: (message: Multipart) => void): void;
  /** Called on each (re)connect after the handshake completes. */
  onConnect(handler: () => void): void;
  readonly isConnected: boolean;
  close(): Promise<void>;
}

export interface ZmqRouter {
  readonly endpoint: string;
  /** Each message arrives as [identity, ...frames]. */
  onMessage(handler: (message: Multipart) => void): void;
  /** Sends [identity, ...frames] to the peer with that identity (dropped if gone). */
  send(message: Multipart): void;
  close(): Promise<void>;
}

export interface ZmqDealer {
  send(message: Multipart): void;
  onMessage(handler: (message: Multipart) => void): void;
  onConnect(handler: () => void): void;
  readonly isConnected: boolean;
  close(): Promise<void>;
}

export interface ZmqConnectOptions {
  /** Largest accepted frame; bigger frames close the connection. Default 64 MiB. */
  readonly maxFrameBytes?: number;
  /** Reconnect backoff bounds. Defaults 100 ms .. 5 s. */
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  /** Called for transport problems (connect refused, protocol error); they never throw out. An exception
   * thrown by this callback is dropped. */
  readonly onError?: (error: Error) => void;
  /** Longest wait for the peer's greeting and READY before the connection is dropped. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
  /** DEALER: messages queued for sending (also while disconnected) before new ones are dropped. Default 100000.
   * Unused by SUB. */
  readonly sendHighWaterMark?: number;
  /** Sends a ZMTP 3.1 PING this often to detect a dead peer on a silent connection. Default off. */
  readonly heartbeatIntervalMs?: number;
  /** With heartbeats on: silence longer than this closes the connection and reconnects. Default 3 × interval. */
  readonly heartbeatTimeoutMs?: number;
}

export interface ZmqDealerOptions extends ZmqConnectOptions {
  /** Identity announced in READY (1..255 bytes, first byte not 0x00); the ROUTER generates one when absent. */
  readonly identity?: string | Uint8Array;
}

export interface ZmqBindOptions {
  /** Messages queued per connected peer before new ones are dropped for that peer. Default 100000 (vLLM's hwm). */
  readonly sendHighWaterMark?: number;
  /** Largest accepted frame; bigger frames close the connection. Default 64 MiB. */
  readonly maxFrameBytes?: number;
  /** Longest wait for a peer's greeting and READY before the connection is dropped. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
  /** Called for transport problems of one peer connection; they never throw out. An exception thrown by this
   * callback is dropped. */
  readonly onError?: (error: Error) => void;
}
