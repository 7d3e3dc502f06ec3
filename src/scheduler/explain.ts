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

function addTiming(out: Record<string, number>, name: string, ms: number | undefined): void {
  out[name] = (out[name] ?? 0) + Math.round((ms ?? 0) * 1000 * 10) / 10;
}
