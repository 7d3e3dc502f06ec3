// Starting one engine process: its own process group (so signals reach its whole tree), a
// parent-death signal through util-linux setpriv, and both output pipes always drained.
import { readdirSync, readFileSync } from "node:fs";
import type { Logger } from "../telemetry/index.ts";
import { forEachLine } from "../telemetry/index.ts";
import { logEngineLine } from "./engine-log-line.ts";
import { SupervisorError } from "./errors.ts";

export interface ExitInfo {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: string | null;
}

/** A running engine; `pid` is also its process group id. */
export interface EngineProcess {
  readonly pid: number;
  /** Resolves when the engine process (the group leader) has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Sends `signal` to the whole process group; false when the group no longer exists. */
  signalGroup(signal: NodeJS.Signals): boolean;
  /** Whether any process of the group (a grandchild, after the leader exited) still runs; zombies do not count. */
  isGroupAlive(): boolean;
}

export interface SpawnRequest {
  readonly argv: readonly string[];
  /** Variables llmux sets; added over the inherited environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Receives each output line, after it was logged. */
  readonly onLine: (stream: "stdout" | "stderr", line: string) => void;
  /** Logger bound to the instance id. */
  readonly logger: Logger;
  /** Called when reading a pipe fails (the error is already logged). */
  readonly onReadError: () => void;
}

/** Starts an engine; throws SupervisorError(supervisor_spawn_failed) when the OS refuses. */
export type SpawnEngine = (request: SpawnRequest) => EngineProcess;

/**
 * `setpriv --pdeathsig SIGTERM --` when util-linux's setpriv is installed, else []. The kernel then
 * sends SIGTERM to the engine when the thread that spawned it exits, even when llmux is SIGKILLed
 * (Bun.spawn has no pdeathsig option). Bun spawns from the main JS thread, so that thread's exit
 * is llmux's exit.
 */
export function launcherPrefix(which: (command: string) => string | null = Bun.which): string[] {
  const setpriv = which("setpriv");
  return setpriv === null ? [] : [setpriv, "--pdeathsig", "SIGTERM", "--"];
}

export interface SpawnerOptions {
  /** launcherPrefix() result. */
  readonly prefix: readonly string[];
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Exported as LLMUX_PARENT_PID so a child without setpriv can watch its parent. */
  readonly parentPid?: number;
}

/** The real spawner, on Bun.spawn with `detached: true` (setsid: the child leads its own group). */
export function createSpawner(options: SpawnerOptions): SpawnEngine {
  const baseEnv = options.baseEnv ?? process.env;
  const parentPid = String(options.parentPid ?? process.pid);
  return function spawnEngine(request: SpawnRequest): EngineProcess {
    const env = { ...baseEnv, ...request.env, LLMUX_PARENT_PID: parentPid };
    let child: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
    try {
      child = Bun.spawn([...options.prefix, ...request.argv], {
        env,
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
        detached: true,
      });
    } catch (cause) {
      throw new SupervisorError("supervisor_spawn_failed", request.argv.join(" "), { cause });
    }
    drain(child.stdout, "stdout", request);
    drain(child.stderr, "stderr", request);
    const pid = child.pid;
    return {
      pid,
      exited: child.exited.then((code) => toExitInfo(code, child.signalCode)),
      signalGroup: (signal) => signalGroup(pid, signal),
      isGroupAlive: () => signalGroup(pid, 0) && hasLiveMember(pid),
    };
  };
}

/** kill(-pgid, signal); false when no process of the group is left (ESRCH). */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw new Error(`cannot signal process group ${pgid}`, { cause: error });
  }
}

/**
 * Whether a process of group `pgid` is alive and not a zombie. kill(-pgid, 0) also succeeds for
 * zombies, which stay until their new parent (PID 1 or a subreaper) reaps them; that can take
 * seconds, and they hold no GPU memory or ports, so they must not delay a stop.
 */
export function hasLiveMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch (cause) {
    throw new Error("cannot list /proc to find the engine's processes", { cause });
  }
  return entries.some((entry) => /^\d+$/.test(entry) && isLiveMember(entry, pgid));
}

function isLiveMember(pid: string, pgid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    // Converted to "not a member": the process exited between readdir and read.
    return false;
  }
  // Fields after the parenthesised command name: state, ppid, pgrp (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X";
}

function toExitInfo(code: number, signal: NodeJS.Signals | number | null): ExitInfo {
  if (signal === null) return { code, signal: null };
  return { code: null, signal: String(signal) };
}

function drain(stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr", request: SpawnRequest): void {
  forEachLine(stream, function engineOutputLine(line) {
    logEngineLine(request.logger, name, line);
    request.onLine(name, line);
  }).catch((error: unknown) => {
    request.logger.error({ err: error, stream: name }, "reading engine output failed");
    request.onReadError();
  });
}
