// E2E harness: runs the proxy under test in a child process (test/e2e/harness/proxy-process-main.ts),
// so it gets its own fetch-concurrency limit (BUN_CONFIG_MAX_HTTP_REQUESTS) and its own RSS.
import { resolve } from "node:path";
import type { ProxySettings, UpstreamTarget } from "../../../src/gateway/proxy/types.ts";
import { type ProxyStats, STATS_PATH } from "../../gateway/proxy/proxy-fixture.ts";
import { REPO_ROOT } from "../../helpers/cli-process.ts";

/** Bun's maximum; read only at process start (bun-platform §4.2), so children get it in their env. */
export const MAX_HTTP_REQUESTS_ENV = { BUN_CONFIG_MAX_HTTP_REQUESTS: "65535" };

const MAIN = resolve(import.meta.dir, "proxy-process-main.ts");

export interface ProxyProcess {
  readonly pid: number;
  readonly url: string;
  stats(): Promise<ProxyStats>;
  stop(): Promise<void>;
}

export async function startProxyProcess(
  targets: readonly UpstreamTarget[],
  settings: Partial<ProxySettings> = {},
  env: Record<string, string> = MAX_HTTP_REQUESTS_ENV,
): Promise<ProxyProcess> {
  const child = Bun.spawn([process.execPath, MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, LLMUX_TEST_PROXY: JSON.stringify({ targets, settings }) },
    stdout: "pipe",
    stderr: "inherit",
  });
  const port = await readPort(child.stdout);
  const url = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid,
    url,
    async stats() {
      return (await (await fetch(`${url}${STATS_PATH}`)).json()) as ProxyStats;
    },
    async stop() {
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}

/** The first stdout line is {"port":N}; the rest of stdout is drained (an unread pipe grows in Bun). */
async function readPort(stdout: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`proxy process exited before listening: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  void (async function drainRest() {
    for (;;) if ((await reader.read()).done) return;
  })();
  return (JSON.parse(text.slice(0, text.indexOf("\n"))) as { port: number }).port;
}
