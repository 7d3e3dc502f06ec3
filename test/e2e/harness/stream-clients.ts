// E2E harness: many concurrent streaming clients in a child process (test/e2e/harness/stream-clients-main.ts),
// because the test process's own fetch is capped at 256 concurrent requests (bun-platform §4.2).
import { resolve } from "node:path";
import { REPO_ROOT } from "../../helpers/cli-process.ts";
import { MAX_HTTP_REQUESTS_ENV } from "./proxy-process.ts";

export interface StreamClientsConfig {
  readonly url: string;
  readonly path: string;
  readonly count: number;
  /** Completions request body (stream is set by the client). */
  readonly body: Record<string, unknown>;
  /** Every Nth client (index % N === 0) asks for stream_options.include_usage. */
  readonly usageEvery: number;
}

export interface StreamClientResult {
  readonly status: number;
  readonly isUsageWanted: boolean;
  readonly headersMs: number;
  /** Chunks with non-empty choices[0].text. */
  readonly contentChunks: number;
  /** From a usage chunk, when one arrived. */
  readonly completionTokens: number | null;
  readonly isDoneSeen: boolean;
  readonly isEveryLineJson: boolean;
}

export interface StreamClientsSummary {
  readonly results: StreamClientResult[];
  readonly elapsedMs: number;
}

const MAIN = resolve(import.meta.dir, "stream-clients-main.ts");

export async function runStreamClients(config: StreamClientsConfig): Promise<StreamClientsSummary> {
  const child = Bun.spawn([process.execPath, MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...MAX_HTTP_REQUESTS_ENV, LLMUX_TEST_CLIENTS: JSON.stringify(config) },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (exitCode !== 0) throw new Error(`stream clients exited ${exitCode}: ${stderr}`);
  return JSON.parse(stdout) as StreamClientsSummary;
}
