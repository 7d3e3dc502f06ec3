// A real redis-server (Debian's package, installed by scripts/setup-test-deps.sh) on a free loopback port,
// with persistence off; stopped by its pid.
import { RedisClient, type Subprocess } from "bun";

export interface RunningRedis {
  readonly url: string;
  readonly process: Subprocess;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RunningRedis> {
  const port = freePort();
  const process = Bun.spawn(
    ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdout: "ignore", stderr: "pipe" },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new RedisClient(url, { autoReconnect: false, connectionTimeout: 500 });
    try {
      await client.send("PING", []);
      client.close();
      break;
    } catch (error) {
      client.close();
      if (process.exitCode !== null || Date.now() > deadline) {
        process.kill();
        throw new Error(`redis-server did not start on port ${port}`, { cause: error });
      }
      await Bun.sleep(50);
    }
  }
  return {
    url,
    process,
    async stop() {
      process.kill();
      await process.exited;
    },
  };
}

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}
