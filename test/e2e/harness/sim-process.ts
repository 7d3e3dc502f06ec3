// E2E harness: runs `llmux sim` (from source, `bun src/main.ts sim …`) as a child process on a free
// port, waits for /health, collects its log lines, and stops it by pid.
import { freePort, MAIN_TS } from "../../helpers/cli-process.ts";
import { spawnDrained } from "./drained-child.ts";

export interface SimProcess {
  readonly pid: number;
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Everything the process wrote so far (stdout and stderr, interleaved by arrival). */
  logs(): string;
  /** Resolves with the exit code once the process is gone. */
  readonly exited: Promise<number>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit code; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

export interface StartSimOptions {
  /** Extra environment, merged over the test's. */
  readonly env?: Record<string, string>;
  /** Wait until /health answers 200 (default true). */
  readonly waitHealthy?: boolean;
  readonly healthTimeoutMs?: number;
}

/** Starts `llmux sim MODEL --host 127.0.0.1 --port <free> ...flags`. */
export async function startSim(flags: readonly string[], options: StartSimOptions = {}): Promise<SimProcess> {
  const port = freePort();
  const child = spawnDrained(
    [process.execPath, MAIN_TS, "sim", "e2e-model", "--host", "127.0.0.1", "--port", String(port), ...flags],
    options.env,
  );
  const sim: SimProcess = {
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    logs: child.logs,
    exited: child.exited,
    stop: (signal = "SIGTERM", graceMs = 5000) => child.stop(signal, graceMs),
  };
  if (options.waitHealthy !== false) {
    try {
      await waitForHealth(sim, options.healthTimeoutMs ?? 15_000);
    } catch (error) {
      await sim.stop("SIGKILL");
      throw new Error(`sim did not become healthy; logs:\n${child.logs()}`, { cause: error });
    }
  }
  return sim;
}

/** Polls /health until 200; fails early if the process exits. */
export async function waitForHealth(sim: SimProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let isExited = false;
  void sim.exited.then(() => {
    isExited = true;
  });
  while (Date.now() < deadline) {
    if (isExited) throw new Error(`sim exited before becoming healthy`);
    if ((await probe(`${sim.url}/health`)) === 200) return;
    await Bun.sleep(25);
  }
  throw new Error(`${sim.url}/health not ready after ${timeoutMs} ms`);
}

/** The status of a GET, or "refused" when nothing listens. */
export async function probe(url: string): Promise<number | "refused"> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status;
  } catch {
    return "refused";
  }
}

/** GET /metrics as text. */
export async function scrape(sim: SimProcess): Promise<string> {
  return (await fetch(`${sim.url}/metrics`)).text();
}
