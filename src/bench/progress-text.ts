// Progress lines for the CLI to print: a redrawn bar on a terminal, plain lines otherwise.
import type { LoadProgress } from "./loadgen/loadgen.ts";

const BAR_WIDTH = 24;

/** One progress line (no newline). On a TTY the caller prefixes "\r" and clears to the end of line. */
export function formatLoadProgress(p: LoadProgress, isTty: boolean): string {
  const done = p.completed + p.failed;
  const fraction = p.total === 0 ? 1 : done / p.total;
  const stage = `stage ${p.stage + 1}/${p.stages} ${p.isWarmup ? "warm-up " : ""}${Number(p.stageQps.toPrecision(4))} QPS`;
  const counts = `sent ${p.sent}/${p.total} done ${p.completed} failed ${p.failed} in flight ${p.inFlight}`;
  const elapsed = `${(p.elapsedMs / 1000).toFixed(1)} s`;
  if (!isTty) return `[bench] ${stage}: ${counts}, ${elapsed}`;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}`;
  return `[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${stage} | ${counts} | ${elapsed}`;
}
