// Accept side shared by the binding sockets (PUB, ROUTER): a Bun TCP listener that runs one
// ZmtpConnection per accepted socket and routes the socket's events to it.

import type { Socket } from "bun";
import type { ZmtpConnection } from "./connection.ts";
import { formatTcpEndpoint, parseTcpEndpoint } from "./endpoint.ts";
import type { ByteSink } from "./outbound-queue.ts";

export interface ZmtpListener {
  /** The bound address with the real port (libzmq ZMQ_LAST_ENDPOINT style). */
  readonly endpoint: string;
  /** Stops accepting and closes every accepted socket. */
  stop(): void;
}

interface SocketState {
  connection: ZmtpConnection;
}

/**
 * Binds `endpoint` (tcp://host:port, port 0 = any free port). `createConnection` builds the
 * connection for each accepted socket; the listener starts it and feeds it. Throws when the
 * endpoint is invalid or the address cannot be bound.
 */
export function listenTcp(
  endpoint: string,
  createConnection: (sink: ByteSink) => ZmtpConnection,
): ZmtpListener {
  const { host, port } = parseTcpEndpoint(endpoint);
  const server = Bun.listen<SocketState | undefined>({
    hostname: host,
    port,
    socket: {
      open(socket) {
        const connection = createConnection(toByteSink(socket));
        socket.data = { connection };
        connection.start();
      },
      data(socket, chunk) {
        socket.data?.connection.handleData(chunk);
      },
      drain(socket) {
        socket.data?.connection.handleDrain();
      },
      close(socket, error) {
        socket.data?.connection.handleSocketClosed(error);
      },
      error(socket, error) {
        socket.data?.connection.handleSocketClosed(error);
      },
    },
  });
  return {
    endpoint: formatTcpEndpoint(host, server.port),
    stop: () => server.stop(true),
  };
}

/** Adapts a Bun socket to the transport's writer interface. */
export function toByteSink<Data>(socket: Socket<Data>): ByteSink {
  return {
    write: (data) => socket.write(data),
    end: () => socket.end(),
  };
}
