// ROUTER socket: binds, names every peer by identity (its own, or a generated libzmq-style one) and
// routes [identity, ...frames] both ways; messages to unknown or saturated peers are dropped.

import { ZmtpConnection } from "./connection.ts";
import { ZmtpError } from "./errors.ts";
import { HandlerList } from "./handler-list.ts";
import { listenTcp } from "./listener.ts";
import type { ResolvedBindOptions } from "./options.ts";
import { resolveBindOptions } from "./options.ts";
import type { ByteSink } from "./outbound-queue.ts";
import type { Multipart, ZmqBindOptions, ZmqRouter } from "./types.ts";

const latin1 = new TextDecoder("latin1");

interface RouterState {
  readonly options: ResolvedBindOptions;
  readonly peers: Map<string, ZmtpConnection>;
  readonly connections: Set<ZmtpConnection>;
  readonly messageHandlers: HandlerList<Multipart>;
  readonly nextIdentity: () => Uint8Array;
}

/** Binds a ROUTER socket at `endpoint`. Rejects when it cannot bind. */
export async function bindRouter(endpoint: string, options?: ZmqBindOptions): Promise<ZmqRouter> {
  const resolved = resolveBindOptions(options);
  const state: RouterState = {
    options: resolved,
    peers: new Map(),
    connections: new Set(),
    messageHandlers: new HandlerList<Multipart>("ROUTER onMessage", resolved.onError),
    nextIdentity: createIdentityGenerator(),
  };
  const listener = listenTcp(endpoint, (sink) => createPeerConnection(sink, state));
  return {
    endpoint: listener.endpoint,
    onMessage: (handler) => state.messageHandlers.add(handler),
    send(message: Multipart): void {
      const identity = message[0];
      if (identity === undefined || message.length < 2) return;
      const connection = state.peers.get(latin1.decode(identity));
      if (connection === undefined || connection.queuedMessages >= resolved.sendHighWaterMark) return;
      connection.send(message.slice(1));
    },
    async close(): Promise<void> {
      listener.stop();
      for (const connection of state.connections) connection.close();
      state.connections.clear();
      state.peers.clear();
    },
  };
}

function createPeerConnection(sink: ByteSink, state: RouterState): ZmtpConnection {
  let identity: Uint8Array | undefined;
  let key: string | undefined;
  const config = {
    socketType: "ROUTER",
    maxFrameBytes: state.options.maxFrameBytes,
    handshakeTimeoutMs: state.options.handshakeTimeoutMs,
  } as const;
  const connection = new ZmtpConnection(sink, config, {
    onReady: function registerPeer(peer) {
      const chosen = peer.identity.length > 0 ? peer.identity : uniqueIdentity(state);
      const chosenKey = latin1.decode(chosen);
      if (state.peers.has(chosenKey)) {
        // libzmq without ZMQ_ROUTER_HANDOVER keeps the first peer and refuses the newcomer.
        connection.close(new ZmtpError("kvcache_zmq_duplicate_identity", JSON.stringify(chosenKey)));
        return;
      }
      identity = chosen;
      key = chosenKey;
      state.peers.set(key, connection);
    },
    onMessage: function routeIn(frames) {
      if (identity !== undefined) state.messageHandlers.run([identity, ...frames]);
    },
    onCommand: () => {},
    onClose: (error) => {
      state.connections.delete(connection);
      if (key !== undefined && state.peers.get(key) === connection) state.peers.delete(key);
      if (error !== undefined) state.options.onError(error);
    },
  });
  state.connections.add(connection);
  return connection;
}

function uniqueIdentity(state: RouterState): Uint8Array {
  for (;;) {
    const candidate = state.nextIdentity();
    if (!state.peers.has(latin1.decode(candidate))) return candidate;
  }
}

/** libzmq's generated routing ids: 0x00 then a uint32 counter starting at a random value (5 bytes). */
function createIdentityGenerator(): () => Uint8Array {
  let next = crypto.getRandomValues(new Uint32Array(1))[0]!;
  return function nextIdentity() {
    const identity = new Uint8Array(5);
    new DataView(identity.buffer).setUint32(1, next);
    next = (next + 1) >>> 0;
    return identity;
  };
}
