// Reports the flow on the gateway's P/D series: prefill attempts and fallbacks, and, through the decode
// leg's proxy observer, the end-to-end TTFT, the transfer wait and the merged usage.
import type { GatewayMetrics } from "../gateway/index.ts";
import type { LegUsage, PdReporter, PrefillHandoff } from "./types.ts";
import { mergeLegUsage } from "./usage-merge.ts";

type PdSeries = GatewayMetrics["pd"];

/** The proxy observer callbacks the P/D layer wraps (structurally the gateway's ProxyObserver). */
export interface LegObserver {
  onFirstToken?(atMs: number): void;
  onUsage?(usage: LegUsage): void;
}

export function createPdReporter(series: PdSeries): PdReporter {
  return {
    prefillAttempt: function observePrefillAttempt(outcome, durationMs) {
      series.prefillSeconds.observe({ outcome }, durationMs / 1000);
    },
    fallback: function countFallback(reason) {
      series.fallbacks.inc({ reason });
    },
  };
}

/**
 * `base` with P/D timing on its first token (TTFT by mode; transfer wait when a prefill leg ran) and, with
 * a prefill leg, the merged usage in place of the decode engine's. `startedAtMs` is the request's start.
 */
export function withPdTiming<T extends LegObserver>(
  base: T,
  series: PdSeries,
  startedAtMs: number,
  handoff: PrefillHandoff | null,
): T {
  const mode = handoff === null ? "decode-only" : "prefill-decode";
  const prefillUsage = handoff?.usage ?? null;
  return {
    ...base,
    onFirstToken: function observePdFirstToken(atMs: number) {
      base.onFirstToken?.(atMs);
      series.ttftSeconds.observe({ mode }, (atMs - startedAtMs) / 1000);
      if (handoff !== null) series.transferWaitSeconds.observe((atMs - handoff.endedAtMs) / 1000);
    },
    onUsage: function reportMergedUsage(usage: LegUsage) {
      base.onUsage?.(prefillUsage === null ? usage : mergeLegUsage(prefillUsage, usage));
    },
  };
}
