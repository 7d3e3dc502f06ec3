// Through `llmux up` with two simulated engines, an SLO-aware scheduler and latency-slo-admitter: the
// node's latency predictor learns from the gateway's own finished requests, becomes ready, and /metrics
// shows its accuracy.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seriesValue } from "../../helpers/exposition.ts";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";

let llmux: LlmuxProcess;
beforeAll(async () => {
  llmux = await startLlmux({
    config: {
      // predictor.mode auto: learning follows from the latency plugins below.
      predictor: { min_samples_for_training: 20, retrain_interval_ms: 500 },
      scheduler: {
        plugins: [{ type: "latency-scorer" }, { type: "queue-scorer" }],
        metricsIntervalMs: 50,
      },
      // Admission with the admitter that reads the same predictor (a config error without it).
      flow: { enabled: true, admitters: [{ type: "latency-slo-admitter" }] },
    },
  });
}, 60_000);
afterAll(async () => {
  await llmux.stop();
});

async function complete(i: number): Promise<number> {
  const response = await fetch(`${llmux.url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-llmux-slo-ttft-ms": "2000" },
    body: JSON.stringify({
      model: "e2e-model",
      prompt: `request ${i}: ${"word ".repeat(20 + (i % 5) * 60)}`,
      max_tokens: 4 + (i % 3) * 4,
      stream: true,
    }),
  });
  await response.text();
  return response.status;
}

describe("the node's latency predictor", () => {
  test("becomes ready after some requests and exports its accuracy on /metrics", async () => {
    const before = await (await fetch(`${llmux.url}/metrics`)).text();
    expect(seriesValue(before, "llmux_predictor_learning")).toBe(1);
    expect(seriesValue(before, "llmux_predictor_ready")).toBe(0);
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      statuses.push(...(await Promise.all([0, 1, 2, 3].map((k) => complete(batch * 4 + k)))));
    }
    expect(statuses.every((status) => status === 200)).toBe(true);
    let text = "";
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      text = await (await fetch(`${llmux.url}/metrics`)).text();
      if (seriesValue(text, "llmux_predictor_ready") === 1) break;
      await Bun.sleep(100);
    }
    expect(seriesValue(text, "llmux_predictor_ready")).toBe(1);
    // A pick onto an engine not scraped yet gives no sample (its load was unknown at the decision).
    const observed = seriesValue(text, "llmux_predictor_samples_observed_total") ?? 0;
    expect(observed).toBeGreaterThanOrEqual(30);
    expect(observed).toBeLessThanOrEqual(40);
    expect(seriesValue(text, "llmux_predictor_trainings_total")).toBeGreaterThanOrEqual(1);
    expect(seriesValue(text, "llmux_predictor_training_failures_total")).toBe(0);
    expect(seriesValue(text, 'llmux_predictor_mape_ratio{target="ttft"}')).toBeGreaterThanOrEqual(0);
    expect(seriesValue(text, 'llmux_predictor_coverage_ratio{target="ttft"}')).toBeGreaterThanOrEqual(0);
  }, 25_000);
});
