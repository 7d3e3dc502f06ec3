// Reconnect path of the connecting sockets: one retry per failed attempt, never two live sockets.
import { afterEach, describe, expect, test } from "bun:test";
import { connectSubscriber, type ZmtpError } from "../../../src/kvcache/zmq/index.ts";
import { waitFor } from "./wait-for.ts";

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server that counts connections and hangs up on each at once. */
function hangUpServer() {
  const state = { accepted: 0, open: 0, maxOpen: 0 };
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        state.accepted += 1;
        state.open += 1;
        state.maxOpen = Math.max(state.maxOpen, state.open);
        socket.end();
      },
      data() {},
      close() {
        state.open -= 1;
      },
    },
  });
  cleanups.push(() => server.stop(true));
  return { port: server.port, state };
}

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

describe("reconnecting sockets", () => {
  test("report one error and schedule one retry per refused connect", async () => {
    const times: number[] = [];
    const errors: ZmtpError[] = [];
    const sub = connectSubscriber(`tcp://127.0.0.1:${freePort()}`, {
      reconnectInitialMs: 30,
      reconnectMaxMs: 30,
      onError: (error) => {
        errors.push(error as ZmtpError);
        times.push(performance.now());
      },
    });
    cleanups.push(() => sub.close());
    await waitFor(() => errors.length >= 6, "six refused attempts");
    expect(errors.every((error) => error.code === "kvcache_zmq_connect_failed")).toBe(true);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
  });

  test("keep at most one socket open while a peer keeps hanging up", async () => {
    const server = hangUpServer();
    const errors: ZmtpError[] = [];
    const sub = connectSubscriber(`tcp://127.0.0.1:${server.port}`, {
      reconnectInitialMs: 5,
      reconnectMaxMs: 5,
      onError: (error) => errors.push(error as ZmtpError),
    });
    cleanups.push(() => sub.close());
    await waitFor(() => server.state.accepted >= 8, "eight connections");
    expect(server.state.maxOpen).toBe(1);
    expect(errors.length).toBeGreaterThanOrEqual(server.state.accepted - 1);
    expect(errors.length).toBeLessThanOrEqual(server.state.accepted);
    expect(errors.every((error) => error.code === "kvcache_zmq_connection_lost")).toBe(true);
  });

  test("keep reconnecting when the onError callback throws", async () => {
    const server = hangUpServer();
    const sub = connectSubscriber(`tcp://127.0.0.1:${server.port}`, {
      reconnectInitialMs: 5,
      reconnectMaxMs: 5,
      onError: () => {
        throw new Error("reporter bug");
      },
    });
    cleanups.push(() => sub.close());
    await waitFor(() => server.state.accepted >= 3, "three connections");
  });

  test("stop reconnecting after close()", async () => {
    const server = hangUpServer();
    const sub = connectSubscriber(`tcp://127.0.0.1:${server.port}`, {
      reconnectInitialMs: 5,
      reconnectMaxMs: 5,
    });
    await waitFor(() => server.state.accepted >= 2, "two connections");
    await sub.close();
    const accepted = server.state.accepted;
    await Bun.sleep(50);
    expect(server.state.accepted).toBe(accepted);
    expect(sub.isConnected).toBe(false);
  });
});
