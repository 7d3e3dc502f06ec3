// Turns a profile run into a DecisionExplanation: per-plugin scores per endpoint, the weighted total,
// the winner and who filtered what. The nested records are built on first read, so a decision nobody
// inspects costs a few arrays rather than an object per endpoint.
import type { ProfileRecord } from "./profile.ts";
import type { DecisionExplanation } from "./types.ts";

export interface DecisionMeta {
  readonly requestId: string;
  readonly decidedAtMs: number;
  readonly durationUs: number;
  /** Producer names and their times, which run before any profile. */
  readonly producerNames: readonly string[];
  readonly producerTimingsMs: Float64Array;
  readonly failedProducers: readonly string[];
}

/** An explanation of `record`'s decision; JSON.stringify and property reads see the same plain data. */
export function toExplanation(record: ProfileRecord, meta: DecisionMeta): DecisionExplanation {
  const ids = record.survivors.map((e) => e.descriptor.id);
  let scores: Record<string, Record<string, number>> | null = null;
  let filteredOut: Record<string, string> | null = null;
  let timingsUs: Record<string, number> | null = null;
  return {
    profile: record.profile,
    picker: record.picker,
    winner: ids[record.winnerIndex] ?? "",
    decidedBy: decidingScorer(record),
    requestId: meta.requestId,
    decidedAtMs: meta.decidedAtMs,
    durationUs: meta.durationUs,
    failedPlugins: [...meta.failedProducers, ...record.failedPlugins],
    get scores() {
      scores ??= buildScores(record, ids);
      return scores;
    },
    get filteredOut() {
      if (filteredOut === null) {
        filteredOut = {};
        record.filteredIds.forEach((id, i) => {
          (filteredOut as Record<string, string>)[id] = record.filteredBy[i] ?? "";
        });
      }
      return filteredOut;
    },
    get timingsUs() {
      if (timingsUs === null) {
        const out: Record<string, number> = {};
        meta.producerNames.forEach((name, i) => {
          addTiming(out, name, meta.producerTimingsMs[i]);
        });
        record.timedNames.forEach((name, i) => {
          addTiming(out, name, record.timingsMs[i]);
        });
        timingsUs = out;
      }
      return timingsUs;
    },
  };
}

function buildScores(record: ProfileRecord, ids: readonly string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const count = ids.length;
  ids.forEach((id, e) => {
    const row: Record<string, number> = {};
    record.scorerNames.forEach((name, s) => {
      row[name] = record.scores[s * count + e] as number;
    });
    row.total = record.totals[e] as number;
    out[id] = row;
  });
  return out;
}

/**
 * The scorer with the largest weighted lead of the winner over the runner-up (the best other endpoint
 * by total). The largest share of the winner's own total would name scorers that rate every idle
 * engine 1 (queue, KV usage) rather than the one that told the endpoints apart.
 */
function decidingScorer(record: ProfileRecord): string {
  const { winnerIndex, totals, scores, scorerNames, scorerWeights } = record;
  const count = totals.length;
  let runnerUp = -1;
  for (let e = 0; e < count; e++) {
    if (e !== winnerIndex && (runnerUp < 0 || (totals[e] as number) > (totals[runnerUp] as number)))
      runnerUp = e;
  }
  if (winnerIndex < 0 || runnerUp < 0) return "";
  let best = "";
  let bestLead = 0;
  scorerNames.forEach((name, s) => {
    const row = s * count;
    const lead =
      (scorerWeights[s] ?? 1) * ((scores[row + winnerIndex] as number) - (scores[row + runnerUp] as number));
    if (lead > bestLead) {
      best = name;
      bestLead = lead;
    }
  });
  return best;
}

function addTiming(out: Record<string, number>, name: string, ms: number | undefined): void {
  out[name] = (out[name] ?? 0) + Math.round((ms ?? 0) * 1000 * 10) / 10;
}
