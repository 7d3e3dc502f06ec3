// Duration of one engine step, per engine-figures §8.2:
//   step_ms = t_o + max(t_w, g·N) + r·N + p·pairs + k·kvRead
// plus the P/D transfer and CPU-restore estimates of §6.2 and §5.2.
import type { SimProfile } from "./types.ts";

/** What one step computes; the scheduler accumulates it while planning. */
export interface StepWork {
  /** N: tokens scheduled in the step (1 per decode, c_i per prefill chunk). */
  scheduledTokens: number;
  /** Σ c_i·(h_i + (c_i+1)/2) over prefill chunks: causal query-key pairs. */
  attentionPairs: number;
  /** Σ ctx_j over decoding requests: KV tokens read. */
  decodeContextTokens: number;
}

/** Causal query-key pairs of a prefill chunk of `chunkTokens` after `priorTokens` already in KV. */
export function prefillPairs(chunkTokens: number, priorTokens: number): number {
  return chunkTokens * (priorTokens + (chunkTokens + 1) / 2);
}

/** Step time in ms. The API overhead (profile.apiOverheadMs) is the server's, not a step's. */
export function stepDurationMs(profile: SimProfile, work: StepWork): number {
  const n = work.scheduledTokens;
  // g and r are µs per token, p is ns per pair, k is µs per context token (§8.3 units).
  const gemmMs = (profile.gemmUsPerToken * n) / 1000;
  const allReduceMs = (profile.allReduceUsPerToken * n) / 1000;
  const attentionMs = (profile.attentionNsPerPair * work.attentionPairs) / 1e6;
  const kvReadMs = (profile.kvReadUsPerToken * work.decodeContextTokens) / 1000;
  return (
    profile.stepOverheadMs + Math.max(profile.weightStreamMs, gemmMs) + allReduceMs + attentionMs + kvReadMs
  );
}

/** P/D KV transfer of `numTokens`: t_setup + tokens × bytes per token per rank / bandwidth (§6.2). */
export function kvTransferMs(profile: SimProfile, numTokens: number): number {
  const bytes = numTokens * profile.kvBytesPerToken;
  return profile.kvTransferSetupMs + (bytes / (profile.kvTransferGBps * 1e9)) * 1000;
}

/** Restoring `numTokens` of offloaded KV from the CPU tier (§5.2: ≈3.1 µs/token for 8B). */
export function cpuRestoreMs(profile: SimProfile, numTokens: number): number {
  return (profile.cpuRestoreUsPerToken * numTokens) / 1000;
}
