// Test helper: runs a libzmq peer (test/fixtures/zmq/*.py, python3-zmq) as a child process and talks to
// it over stdin/stdout lines. A missing python3-zmq fails the test loudly; CI installs it.
import { resolve } from "node:path";
import type { Subprocess } from "bun";

const FIXTURES = resolve(import.meta.dir, "../../fixtures/zmq");
const DEFAULT_TIMEOUT_MS = 10_000;

let cachedPython: string | undefined;

/** The first interpreter that can `import zmq`: $LLMUX_TEST_PYTHON, python3, /usr/bin/python3. */
export function findPython(): string {
  if (cachedPython !== undefined) return cachedPython;
  const candidates = [process.env.LLMUX_TEST_PYTHON, "python3", "/usr/bin/python3"];
  for (const candidate of candidates) {
    const path = candidate === undefined || candidate === "" ? null : Bun.which(candidate);
    if (path !== null && Bun.spawnSync([path, "-c", "import zmq"]).exitCode === 0) {
      cachedPython = path;
      return path;
    }
  }
  throw new Error("no python3 with pyzmq found: apt-get install python3-zmq (scripts/setup-test-deps.sh)");
}

export class PythonPeer {
  readonly lines: string[] = [];
  readonly #process: Subprocess<"pipe", "pipe", "pipe">;
  readonly #stderr: Promise<string>;
  #waiters: (() => void)[] = [];

  constructor(script: string, args: readonly string[]) {
    this.#process = Bun.spawn([findPython(), "-u", resolve(FIXTURES, script), ...args], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    this.#stderr = new Response(this.#process.stderr).text();
    void this.#readLines();
  }

  get exited(): Promise<number> {
    return this.#process.exited;
  }

  /** Resolves with the first line (already printed or future) that satisfies `predicate`. */
  async waitForLine(predicate: (line: string) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find(predicate);
      if (line !== undefined) return line;
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0 || this.#process.exitCode !== null) {
        const stderr = this.#process.exitCode !== null ? await this.#stderr : "(still running)";
        throw new Error(
          `python peer: no matching line; stdout=${JSON.stringify(this.lines)} stderr=${stderr}`,
        );
      }
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, Math.min(remainingMs, 100));
        this.#waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Waits for the "PORT <n>" line the fixtures print once bound. */
  async port(): Promise<number> {
    const line = await this.waitForLine((text) => text.startsWith("PORT "));
    return Number(line.slice("PORT ".length));
  }

  writeLine(text: string): void {
    this.#process.stdin.write(`${text}\n`);
    this.#process.stdin.flush();
  }

  async kill(): Promise<void> {
    if (this.#process.exitCode === null) this.#process.kill("SIGKILL");
    await this.#process.exited;
  }

  async #readLines(): Promise<void> {
    const decoder = new TextDecoder();
    let partial = "";
    for await (const chunk of this.#process.stdout) {
      partial += decoder.decode(chunk, { stream: true });
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      this.lines.push(...parts);
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
  }
}
