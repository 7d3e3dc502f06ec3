// Process inspection for supervisor tests: liveness from /proc (zombies count as gone) and a log sink.
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";

/** Running or sleeping, not a zombie waiting to be reaped. */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** The process group id from /proc/<pid>/stat. */
export function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

/** Resolves with the milliseconds it took for every pid to be gone, or throws after `timeoutMs`. */
export async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<number> {
  const startedMs = performance.now();
  while (performance.now() - startedMs < timeoutMs) {
    if (pids.every((pid) => !isProcessAlive(pid))) return performance.now() - startedMs;
    await Bun.sleep(50);
  }
  throw new Error(`still alive after ${timeoutMs} ms: ${pids.filter(isProcessAlive).join(", ")}`);
}

export async function waitFor<T>(
  read: () => T | undefined | null | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const startedMs = performance.now();
  while (performance.now() - startedMs < timeoutMs) {
    const value = read();
    if (value !== undefined && value !== null && value !== false) return value;
    await Bun.sleep(25);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A writable that keeps every JSON log record. */
export function logSink(): { stream: Writable; records: () => Record<string, unknown>[] } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const records = () =>
    text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, records };
}
