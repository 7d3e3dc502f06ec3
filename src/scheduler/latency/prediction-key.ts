// Per-decision latency predictions, written by predicted-latency-producer and read by latency-scorer
// (llm-d's LatencyPredictionInfo, §5.2).
import type { LatencyPredictorReader } from "../../predictor/index.ts";
import type { DataKey, PluginDeps } from "../types.ts";

/** One endpoint's predicted latencies for this request, and their headroom against its SLOs. */
export interface EndpointLatency {
  /** False when the predictor had no model yet: the scorer falls back for this endpoint. */
  readonly isValid: boolean;
  readonly ttftMs: number;
  /** 0 on prefill-role endpoints (no decode there). */
  readonly tpotMs: number;
  /** SLO × buffer − predicted; −predicted without an SLO (llm-d). Non-negative = meets it. */
  readonly ttftHeadroomMs: number;
  readonly tpotHeadroomMs: number;
  /** Requests this gateway has in flight there (idle = 0). */
  readonly dispatched: number;
}

export interface LatencyPredictionInfo {
  readonly sloTtftMs: number | null;
  readonly sloTpotMs: number | null;
  /** The endpoint's entry, or undefined for an endpoint the producer did not see. */
  of(endpointId: string): EndpointLatency | undefined;
}

export const LATENCY_PREDICTION_KEY: DataKey<LatencyPredictionInfo> = {
  name: "latency-prediction",
  fromSnapshot: false,
  defaultProducer: "predicted-latency-producer",
};

/**
 * Plugin deps plus the predictor the gateway trains (createScheduler forwards it once SchedulerDeps
 * carries it); without it every prediction is invalid and latency-scorer uses its fallback.
 */
export interface LatencyPluginDeps extends PluginDeps {
  readonly latencyPredictor?: LatencyPredictorReader;
}
