// Test helper: runs the llmux CLI from source as a child process and collects its output.
import { resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const MAIN_TS = resolve(REPO_ROOT, "src/main.ts");

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `llmux <args>` (from source) to completion; `env` is merged over the current environment. */
export async function runLlmux(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const child = Bun.spawn([process.execPath, MAIN_TS, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, stdout, stderr };
}

/** Polls `url` until it answers 200 or `timeoutMs` passes. */
export async function waitForOk(url: string, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
      lastError = new Error(`status ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`, { cause: lastError });
}

/** A TCP port that was free a moment ago. */
export function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}
