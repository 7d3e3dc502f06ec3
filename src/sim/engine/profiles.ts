// Latency and capacity presets of the simulated engine. Every coefficient comes from
// shared/docs/engine-figures.md; the section and source id sit next to each number.
import type { SimProfile } from "./types.ts";

// H100 `vllm serve` scheduler defaults on a >=70 GiB GPU: 8192 batched tokens, 1024 seqs (§1.2, S16).
const H100_MAX_NUM_BATCHED_TOKENS = 8192;
const H100_MAX_NUM_SEQS = 1024;
// P/D link: IB/RoCE 20-25 GB/s per NIC, TCP-class setup ~5 ms (§6.1 S11/S19, §6.2 modeling advice, E).
const NIXL_GBPS = 20;
const NIXL_SETUP_MS = 5;
// HTTP + tokenize + detokenize per request, added by the server, not the engine (§8.2, E).
const API_OVERHEAD_MS = 10;

/** A small, fast preset for tests and laptops: 1-2 ms steps, 2048 blocks (not a real model). */
const TINY_CPU: SimProfile = {
  name: "tiny-cpu",
  description: "Tiny CPU-speed engine for tests: ~1.5 ms decode steps, 2048 KV blocks",
  stepOverheadMs: 1.0,
  weightStreamMs: 0.5,
  gemmUsPerToken: 0.25,
  allReduceUsPerToken: 0,
  attentionNsPerPair: 0.1,
  kvReadUsPerToken: 0.001,
  apiOverheadMs: 0,
  gpuBlocks: 2048,
  kvBytesPerToken: 4096,
  cpuRestoreUsPerToken: 0.5,
  kvTransferSetupMs: 1,
  kvTransferGBps: NIXL_GBPS,
  startupDelayMs: 0,
  // Non-H100 serve defaults: 2048 batched tokens, 256 seqs (§1.2, S16).
  maxNumSeqs: 256,
  maxNumBatchedTokens: 2048,
  maxModelLen: 16384,
};

/** Llama-3.1-8B, TP1, H100: coefficients of §8.3 row 1 (fitted on S7/S8). */
const H100_LLAMA3_8B: SimProfile = {
  name: "h100-llama3-8b",
  description: "Llama-3.1-8B-Instruct, TP1, H100 80GB (engine-figures §8.3)",
  stepOverheadMs: 1.1,
  weightStreamMs: 5.35,
  gemmUsPerToken: 22.3,
  allReduceUsPerToken: 0,
  attentionNsPerPair: 0.92,
  kvReadUsPerToken: 0.0437,
  apiOverheadMs: API_OVERHEAD_MS,
  // ≈420,900 KV tokens at util 0.9 → ≈26,300 blocks of 16 (§3.2, S10 M→D).
  gpuBlocks: 26_300,
  // 128 KiB per token at TP1 (§3.1).
  kvBytesPerToken: 131_072,
  // CPU→GPU restore ≈40-45 GB/s ⇒ ≈3.1 µs/token (§5.2, S7 D).
  cpuRestoreUsPerToken: 3.1,
  kvTransferSetupMs: NIXL_SETUP_MS,
  kvTransferGBps: NIXL_GBPS,
  // Cold start 45-60 s: weights 30 s + compile 20 s + graphs 10 s (§7, E from S10/S17).
  startupDelayMs: 45_000,
  maxNumSeqs: H100_MAX_NUM_SEQS,
  maxNumBatchedTokens: H100_MAX_NUM_BATCHED_TOKENS,
  maxModelLen: 131_072,
};

/** Qwen3-32B, TP2, H100: §8.3 row 2 (reproduces S1's 15928 tok/s peak prefill). */
const H100_QWEN3_32B_TP2: SimProfile = {
  name: "h100-qwen3-32b-tp2",
  description: "Qwen3-32B, TP2, 2x H100 80GB (engine-figures §8.3)",
  stepOverheadMs: 2.9,
  weightStreamMs: 11.4,
  gemmUsPerToken: 50.3,
  allReduceUsPerToken: 3.5,
  attentionNsPerPair: 1.84,
  kvReadUsPerToken: 0.0437,
  apiOverheadMs: API_OVERHEAD_MS,
  // ≈290k-310k KV tokens at util 0.9 → 18,000-19,400 blocks; the midpoint (§3.2, E from S6/S10).
  gpuBlocks: 18_700,
  // 256 KiB per token, 128 KiB per GPU at TP2 (§3.1).
  kvBytesPerToken: 131_072,
  // Each rank restores its half in parallel: ≈3.3 µs/token (§5.2, E).
  cpuRestoreUsPerToken: 3.3,
  kvTransferSetupMs: NIXL_SETUP_MS,
  kvTransferGBps: NIXL_GBPS,
  // 32B TP2 cold start ≈90-120 s (§7, E).
  startupDelayMs: 90_000,
  maxNumSeqs: H100_MAX_NUM_SEQS,
  maxNumBatchedTokens: H100_MAX_NUM_BATCHED_TOKENS,
  maxModelLen: 40_960,
};

/** Llama-3.1-70B, TP4, H100: §8.3 row 3 (anchored on S12 linear ops and S14). */
const H100_LLAMA3_70B_TP4: SimProfile = {
  name: "h100-llama3-70b-tp4",
  description: "Llama-3.1-70B-Instruct, TP4, 4x H100 80GB (engine-figures §8.3)",
  stepOverheadMs: 3.6,
  weightStreamMs: 12.4,
  gemmUsPerToken: 55.2,
  allReduceUsPerToken: 6.0,
  attentionNsPerPair: 1.15,
  kvReadUsPerToken: 0.0273,
  apiOverheadMs: API_OVERHEAD_MS,
  // ≈430k KV tokens at util 0.9 → ≈27,000 blocks (§3.2, E).
  gpuBlocks: 27_000,
  // 320 KiB per token, 80 KiB per GPU at TP4 (§3.1).
  kvBytesPerToken: 81_920,
  // 80 KiB/token/GPU at ~40 GB/s ⇒ ≈2.0 µs/token (§5.2 modeling advice, E).
  cpuRestoreUsPerToken: 2.0,
  kvTransferSetupMs: NIXL_SETUP_MS,
  kvTransferGBps: NIXL_GBPS,
  // 70B TP4/TP8 cold start ≈120-180 s (§7, E).
  startupDelayMs: 120_000,
  maxNumSeqs: H100_MAX_NUM_SEQS,
  maxNumBatchedTokens: H100_MAX_NUM_BATCHED_TOKENS,
  maxModelLen: 131_072,
};

/** Llama-3.1-70B, TP8, H100: §8.3 row 4. */
const H100_LLAMA3_70B_TP8: SimProfile = {
  ...H100_LLAMA3_70B_TP4,
  name: "h100-llama3-70b-tp8",
  description: "Llama-3.1-70B-Instruct, TP8, 8x H100 80GB (engine-figures §8.3)",
  stepOverheadMs: 4.0,
  weightStreamMs: 6.2,
  gemmUsPerToken: 27.6,
  allReduceUsPerToken: 7.0,
  attentionNsPerPair: 0.58,
  kvReadUsPerToken: 0.0137,
  // ≈1.29M KV tokens at util 0.9 → ≈81,000 blocks (§3.2, E).
  gpuBlocks: 81_000,
  // 40 KiB per token per GPU at TP8 (§3.1); restore at ~40 GB/s ⇒ ≈1.0 µs/token (§5.2, E).
  kvBytesPerToken: 40_960,
  cpuRestoreUsPerToken: 1.0,
};

/** Every preset by name. Frozen: profiles are shared by every engine that uses them. */
export const SIM_PROFILES: Readonly<Record<string, SimProfile>> = Object.freeze(
  Object.fromEntries(
    [TINY_CPU, H100_LLAMA3_8B, H100_QWEN3_32B_TP2, H100_LLAMA3_70B_TP4, H100_LLAMA3_70B_TP8].map(
      (profile) => [profile.name, Object.freeze(profile)],
    ),
  ),
);

/** The preset called `name`, or undefined (the config schema rejects unknown names first). */
export function getSimProfile(name: string): SimProfile | undefined {
  return Object.hasOwn(SIM_PROFILES, name) ? SIM_PROFILES[name] : undefined;
}

/** Names of every preset, for CLI help and config validation. */
export function simProfileNames(): readonly string[] {
  return Object.keys(SIM_PROFILES);
}
