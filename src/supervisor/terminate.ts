// Stopping one engine's process tree: SIGTERM to its process group, then SIGKILL to whatever of the
// group is still alive after the grace period (vLLM's engine-core children may outlive the leader).
import type { Logger } from "../telemetry/index.ts";
import { type Clock, delay, type Timers } from "./clock.ts";
import type { EngineProcess } from "./process.ts";

const GROUP_POLL_MS = 50;
/** SIGKILL is delivered asynchronously; a process in uninterruptible sleep (D state) can take a while. */
const SIGKILL_WAIT_MS = 5_000;

export interface TerminateDeps {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
}

/** Resolves once the leader has exited and the group is gone; "killed" when SIGKILL was needed. */
export async function terminateGroup(
  proc: EngineProcess,
  graceMs: number,
  deps: TerminateDeps,
): Promise<"exited" | "killed"> {
  const deadlineMs = deps.clock.now() + graceMs;
  if (!proc.signalGroup("SIGTERM")) {
    await proc.exited;
    return "exited";
  }
  const cancel = new AbortController();
  await Promise.race([proc.exited, delay(deps.timers, graceMs, cancel.signal)]);
  cancel.abort();
  if (await groupGoneBy(proc, deadlineMs, deps)) {
    await proc.exited;
    return "exited";
  }
  deps.logger.warn(
    { pid: proc.pid, graceMs },
    "engine still running after the grace period: SIGKILL to its process group",
  );
  proc.signalGroup("SIGKILL");
  await proc.exited;
  if (!(await groupGoneBy(proc, deps.clock.now() + SIGKILL_WAIT_MS, deps))) {
    deps.logger.error({ pid: proc.pid }, "engine processes survived SIGKILL (uninterruptible sleep?)");
  }
  return "killed";
}

/** After the leader died on its own, removes what is left of its group at once. */
export function killLeftovers(proc: EngineProcess, logger: Logger): void {
  if (!proc.isGroupAlive()) return;
  proc.signalGroup("SIGKILL");
  logger.warn({ pid: proc.pid }, "killed processes left behind by the exited engine");
}

/** Polls until no live process is left in the group, or `deadlineMs`; true when it is gone. */
async function groupGoneBy(proc: EngineProcess, deadlineMs: number, deps: TerminateDeps): Promise<boolean> {
  while (proc.isGroupAlive()) {
    const remainingMs = deadlineMs - deps.clock.now();
    if (remainingMs <= 0) return false;
    await delay(deps.timers, Math.min(GROUP_POLL_MS, remainingMs));
  }
  return true;
}
