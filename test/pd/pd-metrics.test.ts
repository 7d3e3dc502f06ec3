import { describe, expect, test } from "bun:test";
import { createGatewayMetrics } from "../../src/gateway/index.ts";
import { createPdReporter, type LegObserver, withPdTiming } from "../../src/pd/pd-metrics.ts";
import type { LegUsage } from "../../src/pd/types.ts";
import { createMetricsRegistry } from "../../src/telemetry/index.ts";

async function series(registry: ReturnType<typeof createMetricsRegistry>, prefix: string): Promise<string[]> {
  const text = await registry.metrics();
  return text.split("\n").filter((line) => line.startsWith(prefix) && !line.includes("_bucket"));
}

describe("P/D metrics", () => {
  test("first token: TTFT by mode and, after a prefill leg, the transfer wait; usage merged", async () => {
    const registry = createMetricsRegistry();
    const metrics = createGatewayMetrics(registry, () => 0);
    const seen: LegUsage[] = [];
    const base: LegObserver & { onFinish(): void } = {
      onUsage: (usage) => {
        seen.push(usage);
      },
      onFinish: () => undefined,
    };
    const handoff = { endedAtMs: 1300, usage: { promptTokens: 100, completionTokens: 1, cachedTokens: 32 } };
    const timed = withPdTiming(base, metrics.pd, 1000, handoff);
    timed.onFirstToken?.(1500);
    timed.onUsage?.({ promptTokens: 100, completionTokens: 7, cachedTokens: 100 });
    withPdTiming(base, metrics.pd, 1000, null).onFirstToken?.(1100);
    expect(seen).toEqual([{ promptTokens: 100, completionTokens: 7, cachedTokens: 32 }]);
    expect(timed.onFinish).toBe(base.onFinish);
    expect(await series(registry, "llmux_pd_t")).toEqual([
      "llmux_pd_transfer_wait_seconds_sum 0.2",
      "llmux_pd_transfer_wait_seconds_count 1",
      'llmux_pd_ttft_seconds_sum{mode="prefill-decode"} 0.5',
      'llmux_pd_ttft_seconds_count{mode="prefill-decode"} 1',
      'llmux_pd_ttft_seconds_sum{mode="decode-only"} 0.1',
      'llmux_pd_ttft_seconds_count{mode="decode-only"} 1',
    ]);
  });

  test("the reporter counts prefill attempts by outcome and fallbacks by reason", async () => {
    const registry = createMetricsRegistry();
    const reporter = createPdReporter(createGatewayMetrics(registry, () => 0).pd);
    reporter.prefillAttempt("timeout", 250);
    reporter.fallback("prefill_failed");
    expect(await series(registry, "llmux_pd_")).toEqual([
      'llmux_pd_prefill_duration_seconds_sum{outcome="timeout"} 0.25',
      'llmux_pd_prefill_duration_seconds_count{outcome="timeout"} 1',
      "llmux_pd_transfer_wait_seconds_sum 0",
      "llmux_pd_transfer_wait_seconds_count 0",
      'llmux_pd_fallbacks_total{reason="prefill_failed"} 1',
    ]);
  });
});
