// SUB socket: connects (and reconnects) to a PUB, sends its subscriptions after every handshake,
// filters by prefix on frame 0 and delivers multipart messages in order.

import type { ZmtpConnection } from "./connection.ts";
import { ZmtpConnector } from "./connector.ts";
import { parseTcpEndpoint } from "./endpoint.ts";
import { HandlerList } from "./handler-list.ts";
import { resolveConnectOptions } from "./options.ts";
import { SubscriptionSet } from "./subscription-set.ts";
import type { Multipart, ZmqConnectOptions, ZmqSubscriber } from "./types.ts";

/**
 * Creates a SUB socket connected to `endpoint` (tcp://host:port). Connecting happens in the
 * background; failures go to options.onError and are retried with backoff until close().
 * Throws only for an invalid endpoint or option.
 */
export function connectSubscriber(endpoint: string, options?: ZmqConnectOptions): ZmqSubscriber {
  const resolved = resolveConnectOptions(options);
  const subscriptions = new SubscriptionSet();
  const messageHandlers = new HandlerList<Multipart>("SUB onMessage", resolved.onError);
  const connectHandlers = new HandlerList<void>("SUB onConnect", resolved.onError);
  const config = {
    socketType: "SUB",
    maxFrameBytes: resolved.maxFrameBytes,
    handshakeTimeoutMs: resolved.handshakeTimeoutMs,
    heartbeat: resolved.heartbeat,
  } as const;
  const connector = new ZmtpConnector(parseTcpEndpoint(endpoint), config, resolved, {
    onReady: function resubscribe(connection) {
      for (const prefix of subscriptions.prefixes()) sendSubscribe(connection, prefix);
      connectHandlers.run();
    },
    onMessage: function deliver(frames) {
      if (subscriptions.matches(frames[0]!)) messageHandlers.run(frames);
    },
    onCommand: () => {},
  });
  connector.start();
  return {
    subscribe(prefix: string | Uint8Array): void {
      const bytes = typeof prefix === "string" ? new TextEncoder().encode(prefix) : prefix;
      if (subscriptions.has(bytes)) return;
      subscriptions.add(bytes);
      const connection = connector.readyConnection;
      if (connection !== undefined) sendSubscribe(connection, bytes);
    },
    onMessage: (handler) => messageHandlers.add(handler),
    onConnect: (handler) => connectHandlers.add(handler),
    get isConnected(): boolean {
      return connector.readyConnection !== undefined;
    },
    close: () => connector.close(),
  };
}

/** ZMTP 3.1 peers take a SUBSCRIBE command; 3.0 peers a message frame 0x01 + prefix. */
function sendSubscribe(connection: ZmtpConnection, prefix: Uint8Array): void {
  if (connection.isPeerAtLeast31) {
    connection.sendCommand("SUBSCRIBE", prefix);
    return;
  }
  const body = new Uint8Array(prefix.length + 1);
  body[0] = 1;
  body.set(prefix, 1);
  connection.send([body]);
}
