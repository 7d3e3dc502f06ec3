// In-memory stand-ins for engine processes, for lifecycle tests without real children.
import type { EngineProcess, ExitInfo, SpawnEngine, SpawnRequest } from "../../src/supervisor/process.ts";

export interface FakeProcess extends EngineProcess {
  readonly signals: string[];
  readonly request: SpawnRequest;
  /** Whether GET /health answers 200. */
  isHealthy: boolean;
  exit(info: ExitInfo): void;
}

export interface FakeSpawner {
  readonly spawn: SpawnEngine;
  readonly processes: FakeProcess[];
  /** Whether a spawned process ignores SIGTERM (only SIGKILL ends it). */
  ignoresSigterm: boolean;
  latest(): FakeProcess;
}

export function createFakeSpawner(): FakeSpawner {
  const processes: FakeProcess[] = [];
  const spawner: FakeSpawner = {
    processes,
    ignoresSigterm: false,
    latest() {
      const last = processes.at(-1);
      if (last === undefined) throw new Error("nothing spawned");
      return last;
    },
    spawn(request) {
      const process = fakeProcess(1000 + processes.length, request, spawner.ignoresSigterm);
      processes.push(process);
      return process;
    },
  };
  return spawner;
}

function fakeProcess(pid: number, request: SpawnRequest, ignoresSigterm: boolean): FakeProcess {
  let resolveExit: (info: ExitInfo) => void = () => {};
  let isAlive = true;
  const exited = new Promise<ExitInfo>((resolve) => {
    resolveExit = resolve;
  });
  const process: FakeProcess = {
    pid,
    request,
    signals: [],
    isHealthy: false,
    exited,
    exit(info) {
      if (!isAlive) return;
      isAlive = false;
      resolveExit(info);
    },
    signalGroup(signal) {
      if (!isAlive) return false;
      process.signals.push(signal);
      if (signal === "SIGKILL" || (signal === "SIGTERM" && !ignoresSigterm))
        process.exit({ code: null, signal });
      return true;
    },
    isGroupAlive: () => isAlive,
  };
  return process;
}
