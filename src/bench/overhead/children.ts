// Child processes of the gateway-overhead mode (a fast sim and `llmux gateway`), started from this
// binary's own command line: ready once a URL answers 200, stopped by pid with SIGTERM then SIGKILL.

/** A child process the overhead run started. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  /** Everything the child wrote so far (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartChildOptions {
  readonly name: string;
  readonly argv: readonly string[];
  /** Polled until it answers 200. */
  readonly readyUrl: string;
  readonly readyTimeoutMs: number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const READY_POLL_MS = 50;
const OUTPUT_TAIL_CHARS = 2000;

/** Starts the child and waits until it is ready; on failure stops it and throws with its output. */
export async function startChild(options: StartChildOptions): Promise<Child> {
  const subprocess = Bun.spawn([...options.argv], {
    env: { ...options.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  // Unread pipes grow without bound in Bun; drain both for the life of the process.
  async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  }
  const drained = Promise.all([drain(subprocess.stdout), drain(subprocess.stderr)]);
  const child: Child = {
    name: options.name,
    pid: subprocess.pid,
    output: () => output,
    async stop(graceMs = 5000) {
      if (subprocess.exitCode === null && subprocess.signalCode === null) {
        subprocess.kill("SIGTERM");
        const timer = setTimeout(() => subprocess.kill("SIGKILL"), graceMs);
        await subprocess.exited;
        clearTimeout(timer);
      }
      await drained;
    },
  };
  try {
    await waitReady(options.readyUrl, options.readyTimeoutMs, () => subprocess.exitCode !== null);
  } catch (error) {
    await child.stop(1000);
    const tail = output.slice(-OUTPUT_TAIL_CHARS).trim();
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${tail}`, { cause: error });
  }
  return child;
}

async function waitReady(url: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadlineMs = performance.now() + timeoutMs;
  let lastProblem = "no answer";
  while (performance.now() < deadlineMs) {
    if (hasExited()) throw new Error("the process exited");
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await Bun.sleep(READY_POLL_MS);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${lastProblem})`);
}

/** A loopback TCP port that was free a moment ago. */
export function freeLoopbackPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}
