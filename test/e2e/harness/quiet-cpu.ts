// Real-time measurements on a 2-core machine are only comparable when the previous tests' processes
// (browsers, nodes still draining) have let go of the CPU: wait for an idle machine before measuring.
import { readFileSync } from "node:fs";

function cpuTimes(): { idle: number; total: number } {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  // idle + iowait
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total };
}

/**
 * Waits until the machine's idle share over a `windowMs` window reaches `minIdle`, or `timeoutMs` passed;
 * returns the last idle share measured (1 where /proc/stat is unavailable).
 */
export async function waitForQuietCpu(minIdle = 0.8, timeoutMs = 20_000, windowMs = 500): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let before: { idle: number; total: number };
    try {
      before = cpuTimes();
    } catch {
      return 1;
    }
    await Bun.sleep(windowMs);
    const after = cpuTimes();
    const total = after.total - before.total;
    const idle = total > 0 ? (after.idle - before.idle) / total : 1;
    if (idle >= minIdle || Date.now() >= deadline) return idle;
  }
}
