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
  /** Messages are delivered in order to this callback. */
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
  /** Called for transport problems (connect refused, protocol error); they never throw out. */
  readonly onError?: (error: Error) => void;
}
