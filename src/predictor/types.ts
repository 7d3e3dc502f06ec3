// Contracts of the latency predictor: the features one request sees on one endpoint, the training
// sample the gateway reports after the request, the prediction, and the accuracy the model exports.

/** Serving role of the engine the request would run on (llm-d's pod_type_cat). */
export type LatencyRole = "both" | "prefill" | "decode";

/** What is known about one (request, endpoint) pair at decision time. Counts are non-negative. */
export interface LatencyFeatures {
  /** Engine KV-cache usage, 0..1 (last scrape). */
  readonly kvUsageRatio: number;
  /** Engine waiting queue (last scrape). */
  readonly waitingRequests: number;
  /** Engine running batch (last scrape). */
  readonly runningRequests: number;
  /** Gateway-local requests on this endpoint not yet finished (fresh, unlike the scraped counts). */
  readonly inFlightRequests: number;
  /** Gateway-local uncached prompt tokens of requests on this endpoint still before their first token. */
  readonly inFlightPrefillTokens: number;
  /** Gateway-local output tokens still expected from requests on this endpoint. */
  readonly inFlightDecodeTokens: number;
  /** Prompt tokens of this request. */
  readonly inputTokens: number;
  /** Prompt tokens this endpoint is estimated to hold in its prefix cache. */
  readonly cachedTokens: number;
  /** Output tokens this request is expected to produce (max_tokens or the gateway's estimate). */
  readonly outputTokens: number;
  readonly role: LatencyRole;
}

/** One observed request: its decision-time features and what happened. */
export interface LatencySample {
  readonly features: LatencyFeatures;
  /** Time to first token, ms (> 0). */
  readonly ttftMs: number;
  /** Mean time per output token after the first, ms; null when fewer than two tokens were produced. */
  readonly tpotMs: number | null;
}

export interface LatencyPrediction {
  /** Point estimate of TTFT, ms. */
  readonly ttftMs: number;
  /** Calibrated upper bound (p90 of the residuals on the training set), ms. */
  readonly ttftP90Ms: number;
  /** Point estimate of TPOT, ms; 0 on prefill-role engines (no decode there); null before a TPOT model exists. */
  readonly tpotMs: number | null;
  readonly tpotP90Ms: number | null;
}

/**
 * Model families the trainer can fit: gradient-boosted trees on log latency, weighted ridge regression on
 * engineered columns, or hybrid (the ridge model times trees fitted to its log residual). `auto` fits
 * each and serves the most accurate on held-back data.
 */
export type ModelFamily = "gbdt" | "linear" | "hybrid";

/** Accuracy of one fitted model on the held-back test samples. */
export interface ModelAccuracy {
  readonly family: ModelFamily;
  /** Mean absolute percentage error, 0..∞ (0.1 = 10 %). */
  readonly mape: number;
  /** Fraction of held-back samples at or under the p90 bound (0.9 when calibrated). */
  readonly coverage: number;
  readonly testSamples: number;
}

/** Accuracy of the serving model of one target and of every candidate compared. */
export interface TargetStats {
  readonly selected: ModelAccuracy | null;
  readonly candidates: readonly ModelAccuracy[];
}

export interface PredictorStats {
  /** A model is loaded: predict() answers. */
  readonly isReady: boolean;
  readonly ttft: TargetStats;
  readonly tpot: TargetStats;
  /** Samples held for training (all buckets) and for testing. */
  readonly trainingSamples: number;
  readonly testSamples: number;
  /** Non-empty buckets of the stratified window. */
  readonly bucketsInUse: number;
  readonly samplesObserved: number;
  readonly trainings: number;
  readonly trainingFailures: number;
  /** Wall time of the last training run (off the request path), ms. */
  readonly lastTrainingMs: number | null;
  /** Predictor clock when the serving model was trained; null before the first. */
  readonly trainedAtMs: number | null;
}

/** The read side the scheduler needs: synchronous, allocation-light, microseconds. */
export interface LatencyPredictorReader {
  /** Predicted latencies, or null while no model has been trained yet. */
  predict(features: LatencyFeatures): LatencyPrediction | null;
}
