import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { REPO_ROOT } from "../helpers/cli-process.ts";

const FIXTURE = resolve(REPO_ROOT, "test/fixtures/fetch-burst.ts");
const TARGET = 300;

/** Serves requests that are held until `TARGET` are open at once (or 3 s pass); reports the peak. */
async function peakConcurrency(env: Record<string, string | undefined>): Promise<number> {
  let open = 0;
  let peak = 0;
  const waiters: (() => void)[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch() {
      open++;
      peak = Math.max(peak, open);
      if (open >= TARGET) for (const release of waiters.splice(0)) release();
      else await Promise.race([new Promise<void>((r) => waiters.push(r)), Bun.sleep(3000)]);
      open--;
      return new Response("ok");
    },
  });
  try {
    const child = Bun.spawn([process.execPath, FIXTURE, `http://127.0.0.1:${server.port}/`, String(TARGET)], {
      env: env as Record<string, string>,
      stdout: "ignore",
      stderr: "inherit",
    });
    expect(await child.exited).toBe(0);
    return peak;
  } finally {
    server.stop(true);
  }
}

describe("fetch concurrency", () => {
  test("llmux raises Bun's 256-request fetch limit by re-executing itself", async () => {
    const env = { ...process.env };
    delete env.BUN_CONFIG_MAX_HTTP_REQUESTS;
    expect(await peakConcurrency(env)).toBe(TARGET);
  });

  test("a limit set by the user is respected (and shows the default cap is real)", async () => {
    expect(await peakConcurrency({ ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "256" })).toBe(256);
  });
});
