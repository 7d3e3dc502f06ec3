import { describe, expect, test } from "bun:test";
import { createPredictorSetup, type PredictorSetup } from "../../src/cli/predictor-setup.ts";
import { type Config, ConfigSchema } from "../../src/config/index.ts";
import type { AdmissionRequest } from "../../src/flow/index.ts";
import type { CompletedRequest } from "../../src/gateway/index.ts";
import { createInlineTrainer, type LatencyFeatures } from "../../src/predictor/index.ts";
import { createLogger, createMetricsRegistry, type MetricsRegistry } from "../../src/telemetry/index.ts";
import { seriesValue } from "../helpers/exposition.ts";
import { endpoint, request } from "../scheduler/builders.ts";

const logger = createLogger({ level: "silent", format: "json" });

function config(sections: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse(sections);
}

function started(start: Config, live: { config: Config } = { config: start }) {
  const setup = createPredictorSetup({ config: start, now: () => 0, createTrainer: createInlineTrainer });
  const registry = createMetricsRegistry();
  setup.start({ registry, logger, config: () => live.config });
  return { setup, registry };
}

/** A request on an engine with `waiting` queued, whose TTFT grows with the queue and the prompt. */
function done(i: number, overrides: Partial<CompletedRequest> = {}): CompletedRequest {
  const waiting = i % 8;
  const promptTokens = 200 + ((i * 37) % 1000);
  return {
    scheduling: request({ promptTokenEstimate: promptTokens, body: { max_tokens: 64 } }),
    endpoint: endpoint("e", { metrics: { waitingRequests: waiting, kvUsageRatio: waiting / 10 } }),
    cachedTokensEstimate: 0,
    status: 200,
    ttftMs: 20 + 15 * waiting + promptTokens / 50,
    tpotMs: 8 + waiting,
    promptTokens,
    completionTokens: 64,
    cachedTokens: 0,
    ...overrides,
  };
}

function feed(setup: PredictorSetup, count: number): void {
  for (let i = 0; i < count; i++) setup.onRequestDone(done(i));
}

async function metricsText(registry: MetricsRegistry): Promise<string> {
  return registry.metrics();
}

const FEATURES: LatencyFeatures = {
  kvUsageRatio: 0.3,
  waitingRequests: 3,
  runningRequests: 0,
  inFlightRequests: 0,
  inFlightPrefillTokens: 0,
  inFlightDecodeTokens: 0,
  inputTokens: 500,
  cachedTokens: 0,
  outputTokens: 64,
  role: "both",
};

const ADMISSION: AdmissionRequest = {
  requestId: "a",
  model: "m",
  priority: -1,
  fairnessId: "f",
  sizeBytes: 10,
  promptTokens: 500,
  expectedOutputTokens: 64,
};

describe("predictor setup", () => {
  test("successful finished requests become training samples; a model follows", async () => {
    const { setup } = started(config({ predictor: { mode: "on", min_samples_for_training: 50 } }));
    feed(setup, 40);
    expect(setup.stats().samplesObserved).toBe(40);
    expect(setup.latencyPredictor.predict(FEATURES)).toBeNull();
    feed(setup, 80);
    await Bun.sleep(0);
    expect(setup.stats().isReady).toBe(true);
    expect(setup.latencyPredictor.predict(FEATURES)?.ttftMs).toBeGreaterThan(0);
  });

  test("errors, requests without a first token and never-scraped endpoints are not samples", () => {
    const { setup } = started(config({ predictor: { mode: "on" } }));
    setup.onRequestDone(done(1, { status: 502 }));
    setup.onRequestDone(done(2, { status: 429, ttftMs: null }));
    setup.onRequestDone(done(3, { ttftMs: null }));
    setup.onRequestDone(done(4, { endpoint: endpoint("e", { metrics: null }) }));
    expect(setup.stats().samplesObserved).toBe(0);
    setup.onRequestDone(done(5));
    expect(setup.stats().samplesObserved).toBe(1);
  });

  test("auto learns only while the live config reads predictions; off never; nothing before start", () => {
    const plain = config();
    const live = { config: plain };
    const latency = config({ scheduler: { plugins: [{ type: "latency-scorer" }] } });
    const admitting = config({ flow: { enabled: true, admitters: [{ type: "latency-slo-admitter" }] } });
    const unstarted = createPredictorSetup({ config: latency, now: () => 0 });
    unstarted.onRequestDone(done(0));
    expect(unstarted.stats().samplesObserved).toBe(0);
    const { setup } = started(plain, live);
    setup.onRequestDone(done(0));
    expect(setup.stats().samplesObserved).toBe(0);
    live.config = latency;
    setup.onRequestDone(done(1));
    live.config = admitting;
    setup.onRequestDone(done(2));
    expect(setup.stats().samplesObserved).toBe(2);
    live.config = config({
      predictor: { mode: "off" },
      scheduler: { plugins: [{ type: "latency-scorer" }] },
    });
    setup.onRequestDone(done(3));
    expect(setup.stats().samplesObserved).toBe(2);
  });

  test("/metrics carries readiness, accuracy by target and the counters", async () => {
    const { setup, registry } = started(config({ predictor: { mode: "on", min_samples_for_training: 50 } }));
    let text = await metricsText(registry);
    expect(seriesValue(text, "llmux_predictor_learning")).toBe(1);
    expect(seriesValue(text, "llmux_predictor_ready")).toBe(0);
    expect(text).not.toContain('llmux_predictor_mape_ratio{target="ttft"}');
    feed(setup, 400);
    await Bun.sleep(0);
    text = await metricsText(registry);
    expect(seriesValue(text, "llmux_predictor_ready")).toBe(1);
    expect(seriesValue(text, "llmux_predictor_samples_observed_total")).toBe(400);
    expect(seriesValue(text, "llmux_predictor_trainings_total")).toBeGreaterThanOrEqual(1);
    expect(seriesValue(text, "llmux_predictor_training_failures_total")).toBe(0);
    const ttftMape = seriesValue(text, 'llmux_predictor_mape_ratio{target="ttft"}');
    expect(ttftMape).toBeGreaterThanOrEqual(0);
    expect(ttftMape).toBeLessThan(0.5);
    expect(seriesValue(text, 'llmux_predictor_coverage_ratio{target="ttft"}')).toBeGreaterThan(0);
    expect(seriesValue(text, 'llmux_predictor_mape_ratio{target="tpot"}')).not.toBeNull();
  });

  test("the flow estimator answers null until a model exists, then predicts a cold prompt", async () => {
    const { setup } = started(config({ predictor: { mode: "on", min_samples_for_training: 50 } }));
    const busy = endpoint("e", { metrics: { waitingRequests: 7 } });
    expect(setup.estimateLatency(ADMISSION, busy)).toBeNull();
    feed(setup, 400);
    await Bun.sleep(0);
    const idle = setup.estimateLatency(ADMISSION, endpoint("e"));
    const queued = setup.estimateLatency(ADMISSION, busy);
    expect(idle?.ttftMs).toBeGreaterThan(0);
    expect(queued?.ttftMs).toBeGreaterThan(idle?.ttftMs ?? Number.POSITIVE_INFINITY);
    expect(setup.estimateLatency(ADMISSION, endpoint("e", { metrics: null }))).toBeNull();
  });

  test("a failed training run is counted on /metrics and the node keeps serving", async () => {
    const setup = createPredictorSetup({
      config: config({ predictor: { mode: "on", min_samples_for_training: 50 } }),
      now: () => 0,
      createTrainer: () => ({
        train: () => Promise.reject(new Error("worker died")),
        close() {},
      }),
    });
    const registry = createMetricsRegistry();
    setup.start({ registry, logger, config: () => config({ predictor: { mode: "on" } }) });
    feed(setup, 100);
    await Bun.sleep(0);
    const text = await metricsText(registry);
    expect(seriesValue(text, "llmux_predictor_training_failures_total")).toBe(1);
    expect(seriesValue(text, "llmux_predictor_ready")).toBe(0);
  });

  test("the trainer starts only when a training run is due", () => {
    let created = 0;
    const setup = createPredictorSetup({
      config: config({ predictor: { mode: "on" } }),
      now: () => 0,
      createTrainer: () => {
        created++;
        return createInlineTrainer();
      },
    });
    setup.start({
      registry: createMetricsRegistry(),
      logger,
      config: () => config({ predictor: { mode: "on" } }),
    });
    // 100 training samples are needed (one in ten is held back for accuracy).
    feed(setup, 60);
    expect(created).toBe(0);
    feed(setup, 200);
    expect(created).toBe(1);
    setup.close();
  });
});
