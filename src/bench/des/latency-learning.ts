// The latency predictor inside the simulation, fed exactly as the gateway feeds the node's: each
// finished request becomes a sample built by the scheduler's latencySampleOf from the snapshot and
// cached-token estimate of its pick, with TTFT and TPOT measured from the pick. Also measures how well
// the model predicted each request before it had seen it (prospective accuracy).
import {
  latencyFeaturesOf,
  latencySampleOf,
  type SchedulerDeps,
  type SchedulingRequest,
} from "../../scheduler/index.ts";
import type { EndpointSnapshot } from "./snapshot-types.ts";

/** What the scheduler's latency plugins read (src/predictor's LatencyPredictorReader). */
export type LatencyReader = NonNullable<SchedulerDeps["latencyPredictor"]>;
/** One training sample (src/predictor's LatencySample). */
export type DesLatencySample = NonNullable<ReturnType<typeof latencySampleOf>>;

/** Accuracy of the serving models on the predictor's held-back samples (never trained on). */
export interface HeldBackAccuracy {
  /** Serving model family of the TTFT target, e.g. "hybrid". */
  readonly family: string;
  readonly ttftMape: number;
  /** Share of held-back samples at or under the p90 bound. */
  readonly ttftCoverage: number;
  readonly tpotMape: number | null;
  readonly testSamples: number;
  readonly samplesObserved: number;
  readonly trainings: number;
}

/**
 * The predictor a simulation trains: cli injects src/predictor's model with an inline trainer, so each
 * training run completes at one virtual instant, inside observe(), and runs replay exactly.
 */
export interface DesLatencyPredictor extends LatencyReader {
  observe(sample: DesLatencySample): void;
  /** Null before the first model. */
  accuracy(): HeldBackAccuracy | null;
}

/** Builds a fresh predictor for one run; `now` is the virtual clock. */
export type DesPredictorFactory = (now: () => number) => DesLatencyPredictor;

/** Predictions made at the picks, against what the requests then took. */
export interface ProspectiveAccuracy {
  readonly requests: number;
  /** Mean |predicted − actual| / actual. */
  readonly mape: number;
  /** Mean (predicted − actual) / actual: negative when predictions were optimistic. */
  readonly bias: number;
  /** Share of requests at or under the predicted p90 bound. */
  readonly coverage: number;
}

/** How the predictor did in one run. */
export interface PredictorRunSummary {
  /** At the end of the run, on the predictor's held-back split; null when it never trained. */
  readonly heldBack: HeldBackAccuracy | null;
  /**
   * The chosen endpoint's prediction at each pick (once a model served): requests the model had not
   * seen, but chosen partly because of their prediction, so errors there favour the optimistic side.
   */
  readonly prospective: { readonly ttft: ProspectiveAccuracy; readonly tpot: ProspectiveAccuracy };
  /** Prospective TTFT accuracy per workload stage (load regime), by stage index. */
  readonly ttftByStage: Readonly<Record<number, ProspectiveAccuracy>>;
}

interface Predicted {
  readonly ms: number;
  readonly p90Ms: number;
}

/** What is kept from a request's pick until it finishes. */
export interface LatencyPick {
  readonly request: SchedulingRequest;
  readonly endpoint: EndpointSnapshot;
  readonly cachedTokens: number;
  readonly ttft: Predicted | null;
  readonly tpot: Predicted | null;
}

class ErrorTally {
  private requests = 0;
  private absoluteSum = 0;
  private signedSum = 0;
  private covered = 0;

  add(predicted: Predicted | null, actualMs: number | null): void {
    if (predicted === null || actualMs === null || !(actualMs > 0)) return;
    this.requests++;
    this.absoluteSum += Math.abs(predicted.ms - actualMs) / actualMs;
    this.signedSum += (predicted.ms - actualMs) / actualMs;
    if (actualMs <= predicted.p90Ms) this.covered++;
  }

  summary(): ProspectiveAccuracy {
    const n = this.requests;
    return {
      requests: n,
      mape: n === 0 ? 0 : this.absoluteSum / n,
      bias: n === 0 ? 0 : this.signedSum / n,
      coverage: n === 0 ? 0 : this.covered / n,
    };
  }
}

export class LatencyLearning {
  private readonly ttft = new ErrorTally();
  private readonly tpot = new ErrorTally();
  private readonly ttftByStage = new Map<number, ErrorTally>();

  constructor(readonly predictor: DesLatencyPredictor) {}

  /** At the pick: what the gateway's route keeps (request, snapshot, estimate) and today's prediction. */
  pick(request: SchedulingRequest, endpoint: EndpointSnapshot, cachedTokens: number): LatencyPick {
    const prediction =
      endpoint.metrics === null
        ? null
        : this.predictor.predict(latencyFeaturesOf(request, endpoint, cachedTokens));
    const tpotMs = prediction?.tpotMs ?? null;
    return {
      request,
      endpoint,
      cachedTokens,
      ttft: prediction === null ? null : { ms: prediction.ttftMs, p90Ms: prediction.ttftP90Ms },
      tpot: tpotMs === null ? null : { ms: tpotMs, p90Ms: prediction?.tpotP90Ms ?? tpotMs },
    };
  }

  /** The request of workload stage `stage` finished without error; latencies from the pick. */
  finished(pick: LatencyPick, stage: number, ttftMs: number, tpotMs: number | null): void {
    this.ttft.add(pick.ttft, ttftMs);
    let byStage = this.ttftByStage.get(stage);
    if (byStage === undefined) {
      byStage = new ErrorTally();
      this.ttftByStage.set(stage, byStage);
    }
    byStage.add(pick.ttft, ttftMs);
    this.tpot.add(pick.tpot, tpotMs);
    const sample = latencySampleOf(pick.request, pick.endpoint, pick.cachedTokens, { ttftMs, tpotMs });
    if (sample !== null) this.predictor.observe(sample);
  }

  summary(): PredictorRunSummary {
    return {
      heldBack: this.predictor.accuracy(),
      prospective: { ttft: this.ttft.summary(), tpot: this.tpot.summary() },
      ttftByStage: Object.fromEntries(
        [...this.ttftByStage].map(([stage, tally]) => [stage, tally.summary()]),
      ),
    };
  }
}
