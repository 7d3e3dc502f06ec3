// Feature encoding: a request's decision-time facts as a fixed numeric row (shared by training and
// prediction), the engineered columns of the linear family, and the stratification bucket of a row.
import type { LatencyFeatures, LatencyRole } from "./types.ts";

/** Column indices of a raw feature row. */
export const COL = {
  kvUsageRatio: 0,
  waitingRequests: 1,
  runningRequests: 2,
  inFlightPrefillTokens: 3,
  inFlightDecodeTokens: 4,
  inputTokens: 5,
  cachedTokens: 6,
  effectiveInputTokens: 7,
  prefixRatio: 8,
  isQueued: 9,
  role: 10,
  outputTokens: 11,
  inFlightRequests: 12,
} as const;

export const FEATURE_COUNT = 13;
/** A stored sample row: the features, then TTFT and TPOT (NaN when unknown). */
export const ROW_WIDTH = FEATURE_COUNT + 2;
export const TTFT_COL = FEATURE_COUNT;
export const TPOT_COL = FEATURE_COUNT + 1;

const ROLE_CODE: Readonly<Record<LatencyRole, number>> = { both: 0, prefill: 1, decode: 2 };

/** Writes the raw features into `out[offset..offset+FEATURE_COUNT)`. */
export function encodeFeatures(features: LatencyFeatures, out: Float64Array, offset = 0): void {
  const input = Math.max(0, features.inputTokens);
  const cached = Math.min(input, Math.max(0, features.cachedTokens));
  out[offset + COL.kvUsageRatio] = clamp01(features.kvUsageRatio);
  out[offset + COL.waitingRequests] = Math.max(0, features.waitingRequests);
  out[offset + COL.runningRequests] = Math.max(0, features.runningRequests);
  out[offset + COL.inFlightPrefillTokens] = Math.max(0, features.inFlightPrefillTokens);
  out[offset + COL.inFlightDecodeTokens] = Math.max(0, features.inFlightDecodeTokens);
  out[offset + COL.inputTokens] = input;
  out[offset + COL.cachedTokens] = cached;
  out[offset + COL.effectiveInputTokens] = input - cached;
  out[offset + COL.prefixRatio] = input > 0 ? cached / input : 0;
  out[offset + COL.isQueued] = features.waitingRequests > 0 ? 1 : 0;
  out[offset + COL.role] = ROLE_CODE[features.role];
  out[offset + COL.outputTokens] = Math.max(0, features.outputTokens);
  out[offset + COL.inFlightRequests] = Math.max(0, features.inFlightRequests);
}

export type Target = "ttft" | "tpot";

/** Engineered columns of the linear family per target; column 0 is the intercept. */
export const LINEAR_WIDTH: Readonly<Record<Target, number>> = { ttft: 14, tpot: 10 };

/**
 * TTFT is prefill work ahead plus this request's own prefill (quadratic in its length through
 * attention), slowed by the decode batch sharing each step; TPOT grows with the batch and the KV read
 * per step. Token counts are scaled to thousands so the ridge penalty treats columns alike.
 */
export function linearColumns(target: Target, row: Float64Array, rowOffset: number, out: Float64Array): void {
  const effective = (row[rowOffset + COL.effectiveInputTokens] as number) / 1000;
  const input = (row[rowOffset + COL.inputTokens] as number) / 1000;
  const prefillAhead = (row[rowOffset + COL.inFlightPrefillTokens] as number) / 1000;
  const decodeAhead = (row[rowOffset + COL.inFlightDecodeTokens] as number) / 1000;
  const running = (row[rowOffset + COL.runningRequests] as number) / 100;
  const requests = (row[rowOffset + COL.inFlightRequests] as number) / 100;
  const waiting = (row[rowOffset + COL.waitingRequests] as number) / 10;
  const kv = row[rowOffset + COL.kvUsageRatio] as number;
  out[0] = 1;
  if (target === "ttft") {
    out[1] = effective;
    out[2] = effective * effective;
    out[3] = effective * (row[rowOffset + COL.cachedTokens] as number) * 1e-3;
    out[4] = prefillAhead;
    out[5] = prefillAhead * running;
    out[6] = running;
    out[7] = waiting;
    out[8] = kv;
    out[9] = decodeAhead;
    out[10] = row[rowOffset + COL.isQueued] as number;
    out[11] = requests;
    out[12] = prefillAhead * prefillAhead;
    out[13] = prefillAhead * effective;
    return;
  }
  out[1] = running;
  out[2] = running * running;
  out[3] = decodeAhead;
  out[4] = input;
  out[5] = kv;
  out[6] = prefillAhead;
  out[7] = waiting;
  out[8] = (row[rowOffset + COL.outputTokens] as number) / 1000;
  out[9] = requests;
}

/** Stratification buckets (llm-d §5.1): queue 0 | 1–2 | 3–5 | 6–10 | 11+, KV in 5 % steps, prefix in quarters. */
export const QUEUE_BUCKETS = 5;
export const KV_BUCKETS = 20;
export const PREFIX_BUCKETS = 4;
export const BUCKET_COUNT = QUEUE_BUCKETS * KV_BUCKETS * PREFIX_BUCKETS;

export function bucketOf(row: Float64Array, rowOffset = 0): number {
  const waiting = row[rowOffset + COL.waitingRequests] as number;
  const queue = waiting <= 0 ? 0 : waiting <= 2 ? 1 : waiting <= 5 ? 2 : waiting <= 10 ? 3 : 4;
  const kv = Math.min(KV_BUCKETS - 1, Math.floor((row[rowOffset + COL.kvUsageRatio] as number) * KV_BUCKETS));
  const prefix = Math.min(
    PREFIX_BUCKETS - 1,
    Math.floor((row[rowOffset + COL.prefixRatio] as number) * PREFIX_BUCKETS),
  );
  return (queue * KV_BUCKETS + kv) * PREFIX_BUCKETS + prefix;
}

function clamp01(value: number): number {
  return value > 1 ? 1 : Math.max(value, 0);
}
