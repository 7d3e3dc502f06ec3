// The pid file: llmux's pid and its engines' pids and arguments, so that the next start can find
// engines a SIGKILLed or crashed llmux left running and report them.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SUPERVISOR_ERRORS } from "./errors.ts";

export interface PidFileEngine {
  readonly id: string;
  readonly pid: number;
  /** The engine's arguments after its command (model and flags), matched against /proc/<pid>/cmdline. */
  readonly args: readonly string[];
}

export interface PidFileContent {
  readonly llmuxPid: number;
  readonly llmuxCmdline: readonly string[];
  readonly engines: readonly PidFileEngine[];
}

export interface Leftover {
  readonly kind: "llmux" | "engine";
  readonly id: string;
  readonly pid: number;
  readonly cmdline: readonly string[];
}

/** `<state_dir>/llmux.pid`, else `$XDG_RUNTIME_DIR/llmux.pid`, else `/tmp/llmux-<uid>.pid`. */
export function pidFilePath(
  stateDir: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (stateDir !== undefined) return join(stateDir, "llmux.pid");
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "llmux.pid");
  return join("/tmp", `llmux-${process.getuid?.() ?? "user"}.pid`);
}

/** Replaces the file atomically, so a reader never sees half of it. */
export function writePidFile(path: string, content: PidFileContent): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(temporary, path);
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

/** Arguments of a live process, or null when it is gone (or a zombie, whose cmdline is empty). */
export function readProcCmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return raw === "" ? null : raw.replace(/\0$/, "").split("\0");
  } catch {
    // Converted to "not running": /proc/<pid> vanishes when the process is gone.
    return null;
  }
}

/**
 * Processes recorded by an earlier run that still run the same command line. A recorded pid now
 * used by an unrelated process does not match and is not reported.
 */
export function findLeftovers(
  path: string,
  selfPid: number,
  readCmdline: (pid: number) => string[] | null = readProcCmdline,
): Leftover[] {
  const content = readPidFile(path);
  if (content === null) return [];
  const leftovers: Leftover[] = [];
  const llmux = content.llmuxPid === selfPid ? null : readCmdline(content.llmuxPid);
  if (llmux !== null && sameWords(llmux, content.llmuxCmdline)) {
    leftovers.push({ kind: "llmux", id: "llmux", pid: content.llmuxPid, cmdline: llmux });
  }
  for (const engine of content.engines) {
    const cmdline = readCmdline(engine.pid);
    if (cmdline !== null && containsRun(cmdline, engine.args)) {
      leftovers.push({ kind: "engine", id: engine.id, pid: engine.pid, cmdline });
    }
  }
  return leftovers;
}

/** What was found and how to get rid of it. */
export function formatLeftovers(path: string, leftovers: readonly Leftover[]): string {
  const lines = leftovers.map((leftover) =>
    leftover.kind === "llmux"
      ? `  llmux pid ${leftover.pid} still runs with this pid file; stop it first (kill ${leftover.pid})`
      : `  engine ${leftover.id} pid ${leftover.pid} (process group ${leftover.pid}); stop it with: kill -TERM -${leftover.pid}`,
  );
  return [`${SUPERVISOR_ERRORS.supervisor_leftover_processes} (from ${path}):`, ...lines].join("\n");
}

function readPidFile(path: string): PidFileContent | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    // Converted to "no earlier run": a missing pid file is the normal first start.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`cannot read the pid file ${path}`, { cause: error });
  }
  try {
    return toPidFileContent(JSON.parse(text));
  } catch (cause) {
    throw new Error(`pid file ${path} is not valid JSON; remove it if no llmux runs`, { cause });
  }
}

function toPidFileContent(value: unknown): PidFileContent {
  const content = value as Partial<PidFileContent> | null;
  if (content === null || typeof content.llmuxPid !== "number" || !Array.isArray(content.engines)) {
    throw new Error("unexpected pid file shape");
  }
  return {
    llmuxPid: content.llmuxPid,
    llmuxCmdline: Array.isArray(content.llmuxCmdline) ? content.llmuxCmdline : [],
    engines: content.engines.filter(
      (engine) => typeof engine?.pid === "number" && Array.isArray(engine.args),
    ),
  };
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((word, i) => word === b[i]);
}

/** Whether `needle` occurs in `haystack` as consecutive words (interpreters prepend their own). */
function containsRun(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((word, i) => haystack[start + i] === word)) return true;
  }
  return false;
}
