// The node's latency predictor: one model for the node, trained on a worker from the gateway's finished
// requests, read by the scheduler's latency plugins and flow's latency-slo-admitter, its accuracy on
// /metrics. Created by the commands (the scheduler they build reads it) and started by runNode.
import type { Config, PredictorConfig } from "../config/index.ts";
import { type AdmissionRequest, LATENCY_SLO_ADMITTER_TYPE, type LatencyEstimator } from "../flow/index.ts";
import type { CompletedRequest } from "../gateway/index.ts";
import type { EndpointSnapshot } from "../pool/index.ts";
import {
  createLatencyPredictor,
  createWorkerTrainer,
  type LatencyPredictor,
  type LatencyPredictorReader,
  type PredictorErrorCode,
  PredictorOptions,
  type PredictorStats,
  type Trainer,
} from "../predictor/index.ts";
import { latencyFeaturesFor, latencySampleOf, usesLatencyPredictor } from "../scheduler/index.ts";
import { type Logger, type MetricsRegistry, registerCollected } from "../telemetry/index.ts";

export interface PredictorSetupOptions {
  /** The config at start: the predictor's training settings are read once from it. */
  readonly config: Config;
  /** Gateway clock, ms; paces retraining. */
  readonly now: () => number;
  /** Builds the trainer at the first training run (default: the worker trainer). */
  readonly createTrainer?: () => Trainer;
}

/** What runNode gives the predictor once the node runs. */
export interface PredictorNode {
  readonly registry: MetricsRegistry;
  readonly logger: Logger;
  /** The live config (reloads change it): `predictor.mode` and the plugins in use decide learning. */
  readonly config: () => Config;
}

export interface PredictorSetup {
  /** For buildScheduler, at start and on every reload: the same model across schedulers. */
  readonly latencyPredictor: LatencyPredictorReader;
  /** For flow's FlowPolicyDeps.estimateLatency (latency-slo-admitter). */
  readonly estimateLatency: LatencyEstimator;
  /** GatewayContext.onRequestDone: a successful request with a first token becomes a training sample. */
  readonly onRequestDone: (done: CompletedRequest) => void;
  /** Registers the llmux_predictor_* metrics and starts learning (per the live config). Call once. */
  start(node: PredictorNode): void;
  stats(): PredictorStats;
  /** Stops the training worker; predictions keep answering from the last model. */
  close(): void;
}

/**
 * Always built, learning only when wanted: with `predictor.mode: auto` a node whose config never reads
 * predictions observes nothing, so it never trains and its worker thread never starts (a 20k-row run
 * costs ~1.3 s of a core, see predictor/worker-trainer.ts). Created but idle it holds only the
 * held-back ring (~120 kB).
 */
export function createPredictorSetup(options: PredictorSetupOptions): PredictorSetup {
  let logger: Logger | null = null;
  let liveConfig: (() => Config) | null = null;
  const predictor = createLatencyPredictor({
    options: predictorOptionsOf(options.config.predictor),
    now: options.now,
    trainer: lazyTrainer(options.createTrainer ?? (() => createWorkerTrainer())),
    onTrainingError: function logTrainingError(error) {
      logger?.warn(
        { err: error, code: "predictor_training_failed" satisfies PredictorErrorCode },
        "latency training failed; the previous model keeps serving",
      );
    },
  });
  const isLearning = learningGate();
  return {
    latencyPredictor: predictor,
    estimateLatency: estimatorOf(predictor),
    onRequestDone: function recordLatencySample(done: CompletedRequest) {
      if (liveConfig === null || !isLearning(liveConfig())) return;
      if (done.status < 200 || done.status >= 300 || done.ttftMs === null) return;
      const sample = latencySampleOf(done.scheduling, done.endpoint, done.cachedTokensEstimate, {
        ttftMs: done.ttftMs,
        tpotMs: done.tpotMs,
      });
      if (sample !== null) predictor.observe(sample);
    },
    start(node) {
      logger = node.logger;
      liveConfig = node.config;
      registerPredictorMetrics(node.registry, predictor, () => isLearning(node.config()));
    },
    stats: () => predictor.stats(),
    close: () => predictor.close(),
  };
}

/** The predictor's options from `predictor:`; settings left unset keep the predictor's own defaults. */
export function predictorOptionsOf(settings: PredictorConfig): PredictorOptions {
  return PredictorOptions.parse({
    ...(settings.family === undefined ? {} : { family: settings.family }),
    ...(settings.min_samples_for_training === undefined
      ? {}
      : { minSamplesForTraining: settings.min_samples_for_training }),
    ...(settings.retrain_interval_ms === undefined
      ? {}
      : { retrainIntervalMs: settings.retrain_interval_ms }),
  });
}

/** Whether `config` wants the predictor trained; remembered per config object (a reload makes a new one). */
function learningGate(): (config: Config) => boolean {
  let last: Config | null = null;
  let isWanted = false;
  return function isLearning(config: Config): boolean {
    if (config !== last) {
      last = config;
      const mode = config.predictor.mode;
      isWanted =
        mode === "on" ||
        (mode === "auto" &&
          (usesLatencyPredictor(config.scheduler) ||
            (config.flow.enabled &&
              config.flow.admitters.some((admitter) => admitter.type === LATENCY_SLO_ADMITTER_TYPE))));
    }
    return isWanted;
  };
}

/**
 * Admission runs before the prefix match, so no cached tokens are assumed: the estimate is the TTFT of
 * a cold prompt, pessimistic for a request whose prefix an engine holds.
 */
function estimatorOf(predictor: LatencyPredictorReader): LatencyEstimator {
  return function estimateLatency(request: AdmissionRequest, endpoint: EndpointSnapshot) {
    if (endpoint.metrics === null) return null;
    const predicted = predictor.predict(
      latencyFeaturesFor(endpoint, {
        inputTokens: request.promptTokens,
        cachedTokens: 0,
        outputTokens: request.expectedOutputTokens,
      }),
    );
    return predicted === null ? null : { ttftMs: predicted.ttftMs, tpotMs: predicted.tpotMs };
  };
}

/** Starts the trainer (a worker thread by default) only when the first training run is due. */
function lazyTrainer(create: () => Trainer): Trainer {
  let trainer: Trainer | null = null;
  let isClosed = false;
  return {
    train: function trainLazily(job) {
      if (isClosed) return Promise.reject(new Error("latency trainer is closed"));
      trainer ??= create();
      return trainer.train(job);
    },
    close() {
      isClosed = true;
      trainer?.close();
    },
  };
}

/** The predictor's llmux_predictor_* series, read from its stats at each scrape. */
function registerPredictorMetrics(
  registry: MetricsRegistry,
  predictor: LatencyPredictor,
  isLearning: () => boolean,
): void {
  const registers = [registry];
  const flag = (name: string, help: string, read: () => boolean) =>
    registerCollected("gauge", { name, help, registers }, () => (read() ? 1 : 0));
  flag(
    "llmux_predictor_learning",
    "1 when the node trains its latency predictor (predictor.mode).",
    isLearning,
  );
  flag(
    "llmux_predictor_ready",
    "1 when the latency predictor has a model (predictions answer).",
    () => predictor.stats().isReady,
  );
  const accuracy = (
    name: string,
    help: string,
    read: (stats: PredictorStats, target: Target) => number | null,
  ) =>
    registerCollected("gauge", { name, help, labelNames: ["target"], registers }, () => {
      const stats = predictor.stats();
      return TARGETS.flatMap((target) => {
        const value = read(stats, target);
        return value === null ? [] : [[{ target }, value] as const];
      });
    });
  accuracy(
    "llmux_predictor_mape_ratio",
    "Mean absolute percentage error of the serving model on held-back samples (0.1 = 10 %; on its training samples until 10 are held back), by target (ttft, tpot).",
    (stats, target) => stats[target].selected?.mape ?? null,
  );
  accuracy(
    "llmux_predictor_coverage_ratio",
    "Share of held-back samples at or under the serving model's p90 bound, by target (ttft, tpot).",
    (stats, target) => stats[target].selected?.coverage ?? null,
  );
  const total = (name: string, help: string, read: (stats: PredictorStats) => number) =>
    registerCollected("counter", { name, help, registers }, () => read(predictor.stats()));
  total(
    "llmux_predictor_samples_observed_total",
    "Finished requests the latency predictor recorded as training samples.",
    (stats) => stats.samplesObserved,
  );
  total(
    "llmux_predictor_trainings_total",
    "Latency predictor training runs that completed.",
    (s) => s.trainings,
  );
  total(
    "llmux_predictor_training_failures_total",
    "Latency predictor training runs that failed (the previous model kept serving).",
    (stats) => stats.trainingFailures,
  );
}

type Target = "ttft" | "tpot";
const TARGETS: readonly Target[] = ["ttft", "tpot"];
