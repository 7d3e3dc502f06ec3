// Keeps the pid file in step with the running engines; a failed write is logged and counted, as
// the pid file is a safety net for the next start, not something this run depends on.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../telemetry/index.ts";
import { readProcCmdline, removePidFile, writePidFile } from "./pid-file.ts";
import type { InstanceSnapshot } from "./types.ts";

export interface PidRecorder {
  /** Rewrites the file with the engines that have a process now. */
  update(instances: readonly InstanceSnapshot[]): void;
  remove(): void;
}

/** `argsById`: per instance, the words of its command line that identify it (see findLeftovers). */
export function createPidRecorder(
  path: string,
  argsById: ReadonlyMap<string, readonly string[]>,
  logger: Logger,
  onError: () => void,
): PidRecorder {
  const llmuxCmdline = readProcCmdline(process.pid) ?? [];
  return {
    update(instances) {
      const engines = instances.flatMap((instance) =>
        instance.pid === null
          ? []
          : [{ id: instance.id, pid: instance.pid, args: argsById.get(instance.id) ?? [] }],
      );
      try {
        mkdirSync(dirname(path), { recursive: true });
        writePidFile(path, { llmuxPid: process.pid, llmuxCmdline, engines });
      } catch (error) {
        onError();
        logger.error(
          { err: error, pidFile: path },
          "cannot write the pid file; leftovers of this run will not be detected",
        );
      }
    },
    remove() {
      try {
        removePidFile(path);
      } catch (error) {
        onError();
        logger.error({ err: error, pidFile: path }, "cannot remove the pid file");
      }
    },
  };
}
