// PUB socket: binds, tracks each subscriber's topic prefixes and sends every message to the matching
// subscribers, dropping per subscriber beyond the high-water mark as libzmq PUB does.

import type { ZmtpCommand } from "./command.ts";
import { ZmtpConnection } from "./connection.ts";
import { encodeMessage } from "./frame-codec.ts";
import { listenTcp } from "./listener.ts";
import type { ResolvedBindOptions } from "./options.ts";
import { resolveBindOptions } from "./options.ts";
import type { ByteSink } from "./outbound-queue.ts";
import { SubscriptionSet } from "./subscription-set.ts";
import type { Multipart, ZmqBindOptions, ZmqPublisher } from "./types.ts";

interface SubscriberSession {
  readonly connection: ZmtpConnection;
  readonly subscriptions: SubscriptionSet;
}

/** Binds a PUB socket at `endpoint` (tcp://*:5557, tcp://127.0.0.1:0, …). Rejects when it cannot bind. */
export async function bindPublisher(endpoint: string, options?: ZmqBindOptions): Promise<ZmqPublisher> {
  const resolved = resolveBindOptions(options);
  const sessions = new Set<SubscriberSession>();
  const listener = listenTcp(endpoint, (sink) => createSession(sink, resolved, sessions));
  return {
    endpoint: listener.endpoint,
    send(message: Multipart): void {
      publish(sessions, message, resolved.sendHighWaterMark);
    },
    get subscriberCount(): number {
      let count = 0;
      for (const session of sessions) if (session.connection.isReady) count += 1;
      return count;
    },
    async close(): Promise<void> {
      listener.stop();
      for (const session of sessions) session.connection.close();
      sessions.clear();
    },
  };
}

function publish(sessions: Set<SubscriberSession>, message: Multipart, highWaterMark: number): void {
  const topic = message[0];
  if (topic === undefined) return;
  let pieces: Uint8Array[] | undefined;
  for (const { connection, subscriptions } of sessions) {
    if (!connection.isReady || !subscriptions.matches(topic)) continue;
    if (connection.queuedMessages >= highWaterMark) continue;
    pieces ??= encodeMessage(message);
    connection.sendEncoded(pieces);
  }
}

function createSession(
  sink: ByteSink,
  options: ResolvedBindOptions,
  sessions: Set<SubscriberSession>,
): ZmtpConnection {
  const subscriptions = new SubscriptionSet();
  const config = {
    socketType: "PUB",
    maxFrameBytes: options.maxFrameBytes,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
  } as const;
  const session: SubscriberSession = {
    subscriptions,
    connection: new ZmtpConnection(sink, config, {
      onReady: () => {},
      onMessage: function onSubscriptionMessage(frames) {
        applySubscriptionMessage(subscriptions, frames);
      },
      onCommand: function onSubscriptionCommand(command) {
        applySubscriptionCommand(subscriptions, command);
      },
      onClose: (error) => {
        sessions.delete(session);
        if (error !== undefined) options.onError(error);
      },
    }),
  };
  sessions.add(session);
  return session.connection;
}

/** ZMTP 3.0 subscriptions: a one-frame message 0x01+prefix (subscribe) or 0x00+prefix (cancel). */
function applySubscriptionMessage(subscriptions: SubscriptionSet, frames: Uint8Array[]): void {
  const body = frames[0];
  if (frames.length !== 1 || body === undefined || body.length === 0) return;
  if (body[0] === 1) subscriptions.add(body.subarray(1));
  else if (body[0] === 0) subscriptions.remove(body.subarray(1));
}

/** ZMTP 3.1 subscriptions: SUBSCRIBE / CANCEL commands whose data is the prefix. */
function applySubscriptionCommand(subscriptions: SubscriptionSet, command: ZmtpCommand): void {
  if (command.name === "SUBSCRIBE") subscriptions.add(command.data);
  else if (command.name === "CANCEL") subscriptions.remove(command.data);
}
