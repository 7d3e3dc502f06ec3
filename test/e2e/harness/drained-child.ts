// A child process for e2e harnesses: both pipes drained for its whole life (Bun's unread pipes grow
// without bound), its output kept for failure messages, and a stop that escalates to SIGKILL.
import { REPO_ROOT } from "../../helpers/cli-process.ts";

export interface DrainedChild {
  readonly pid: number;
  /** Resolves with the exit code once the process is gone and its output is read. */
  readonly exited: Promise<number>;
  /** Everything the process wrote so far (stdout and stderr, interleaved by arrival). */
  logs(): string;
  /** True once the process exited or was killed by a signal. */
  hasExited(): boolean;
  readonly exitCode: () => number | null;
  kill(signal: NodeJS.Signals): void;
  /** Sends `signal` unless the process is gone, SIGKILL after `graceMs`; resolves with the exit code. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<number>;
}

/** Spawns `argv` in the repository root with the test's environment plus `env`. */
export function spawnDrained(argv: readonly string[], env: Record<string, string> = {}): DrainedChild {
  const child = Bun.spawn([...argv], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const exited = child.exited.then(async (code) => {
    await drained;
    return code;
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid,
    exited,
    logs: () => output,
    hasExited,
    exitCode: () => child.exitCode,
    kill: (signal) => child.kill(signal),
    async stop(signal, graceMs) {
      if (hasExited()) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
