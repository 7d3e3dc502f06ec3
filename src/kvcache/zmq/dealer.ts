// DEALER socket: connects (and reconnects) to a ROUTER, optionally announcing an identity; messages
// sent while disconnected wait (up to the high-water mark) and go out after the next handshake.

import { ZmtpConnector } from "./connector.ts";
import { parseTcpEndpoint } from "./endpoint.ts";
import { HandlerList } from "./handler-list.ts";
import { resolveConnectOptions } from "./options.ts";
import type { Multipart, ZmqDealer, ZmqDealerOptions } from "./types.ts";

/**
 * Creates a DEALER socket connected to `endpoint` (tcp://host:port). Connecting happens in the
 * background; failures go to options.onError and are retried with backoff until close().
 * Throws only for an invalid endpoint or option.
 */
export function connectDealer(endpoint: string, options?: ZmqDealerOptions): ZmqDealer {
  const resolved = resolveConnectOptions(options);
  const messageHandlers = new HandlerList<Multipart>("DEALER onMessage", resolved.onError);
  const connectHandlers = new HandlerList<void>("DEALER onConnect", resolved.onError);
  let pending: Multipart[] = [];
  const config = {
    socketType: "DEALER",
    identity: resolved.identity,
    maxFrameBytes: resolved.maxFrameBytes,
    handshakeTimeoutMs: resolved.handshakeTimeoutMs,
    heartbeat: resolved.heartbeat,
  } as const;
  const connector = new ZmtpConnector(parseTcpEndpoint(endpoint), config, resolved, {
    onReady: function flushPending(connection) {
      const queued = pending;
      pending = [];
      for (const message of queued) connection.send(message);
      connectHandlers.run();
    },
    onMessage: (frames) => messageHandlers.run(frames),
    onCommand: () => {},
  });
  connector.start();
  return {
    send(message: Multipart): void {
      if (message.length === 0) return;
      const connection = connector.readyConnection;
      if (connection === undefined) {
        if (pending.length < resolved.sendHighWaterMark) pending.push(message);
      } else if (connection.queuedMessages < resolved.sendHighWaterMark) {
        connection.send(message);
      }
    },
    onMessage: (handler) => messageHandlers.add(handler),
    onConnect: (handler) => connectHandlers.add(handler),
    get isConnected(): boolean {
      return connector.readyConnection !== undefined;
    },
    close(): Promise<void> {
      pending = [];
      return connector.close();
    },
  };
}
