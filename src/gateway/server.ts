// Runs a hono app on Bun.serve with production settings and a bounded graceful stop.
import type { Hono } from "hono";

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string;
  readonly port: number;
  /** Stops accepting; waits for open requests up to `drainMs`, then closes the rest. */
  stop(drainMs: number): Promise<void>;
}

/** Starts serving `app`. `development: false` keeps Bun's HTML error pages (and their messages) away from clients. */
export function startServer(app: Hono, options: ServerOptions): RunningServer {
  const server = Bun.serve({
    hostname: options.host,
    port: options.port,
    development: false,
    // The gateway enforces gateway.max_body_bytes itself (streaming read with a cap, OpenAI-shaped 413);
    // Bun's own limit only has to stay out of its way, and Bun does not buffer bodies up front.
    maxRequestBodySize: Math.max(options.maxBodyBytes * 2, 1024 * 1024 * 1024),
    // Streams may be quiet for minutes (long prefill, slow tokens); the proxy runs its own stall watchdog.
    idleTimeout: 0,
    fetch: (request, bunServer) => app.fetch(request, { server: bunServer }),
  });
  const port = server.port ?? options.port;
  return {
    url: `http://${formatHost(options.host)}:${port}`,
    port,
    async stop(drainMs: number) {
      const graceful = server.stop(false);
      const deadline = new Promise<"timeout">((resolve) => {
        const timer = setTimeout(() => resolve("timeout"), drainMs);
        timer.unref?.();
      });
      if ((await Promise.race([graceful.then(() => "done" as const), deadline])) === "timeout") {
        await server.stop(true);
      }
    },
  };
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
