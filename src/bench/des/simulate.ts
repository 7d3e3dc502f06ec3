// The discrete-event simulation: engines from the sim's engine library stepping in virtual time, and a
// simulated gateway where the production Scheduler decides every arrival from what a live gateway
// would know (scraped metrics, its own in-flight load, its plugins' state). Pure: no wall clock, no
// Math.random; the same options replay the same run.
import { createSeededRng, type Scheduler, type SchedulingRequest } from "../../scheduler/index.ts";
import { BenchError } from "../errors.ts";
import { requestHeaders } from "../loadgen/request-body.ts";
import { LatencyHistogram } from "../metrics/latency-histogram.ts";
import type { Policy } from "../policies.ts";
import type { RequestRecord, Workload, WorkloadRequest } from "../types.ts";
import { EngineNode } from "./engine-node.ts";
import type { ResolvedEngines } from "./engine-setup.ts";
import { EventQueue } from "./event-queue.ts";
import { engineDescriptors, GatewayView } from "./gateway-view.ts";
import { type DesPredictorFactory, LatencyLearning, type PredictorRunSummary } from "./latency-learning.ts";
import { TrueCacheView } from "./oracle-view.ts";
import { RequestRun, type RequestRunHooks } from "./request-run.ts";
import { StageClock } from "./stage-clock.ts";

export interface SimulationOptions {
  readonly workload: Workload;
  readonly engines: ResolvedEngines;
  readonly engineCount: number;
  readonly policy: Policy;
  /** Seeds the scheduler's rng (tie-breaks, random pickers). */
  readonly seed: number;
  /** Model name in requests and endpoint descriptors. */
  readonly model?: string;
  /** How often the gateway scrapes engine metrics (default 100 ms, llmux's default). */
  readonly scrapeIntervalMs?: number;
  /** Client-side cap on requests in flight; 0 = none. Later arrivals wait, and their wait counts. */
  readonly maxConcurrency?: number;
  /** Start each stage only after the previous one's requests finished (default true). */
  readonly drainBetweenStages?: boolean;
  /** Builds the latency predictor of a policy that needs one (Policy.needsPredictor). */
  readonly latencyPredictor?: DesPredictorFactory;
}

export interface SimulationResult {
  readonly records: RequestRecord[];
  readonly itlByStage: ReadonlyMap<number, LatencyHistogram>;
  readonly stageStartMs: ReadonlyMap<number, number>;
  readonly virtualMs: number;
  readonly events: number;
  readonly engineSteps: number;
  readonly decisions: number;
  /** How the run's latency predictor did; null when the policy used none. */
  readonly predictor: PredictorRunSummary | null;
}

export function simulate(options: SimulationOptions): SimulationResult {
  return new Simulation(options).run();
}

/** One run's state. Engine callbacks never re-enter an engine: follow-ups are queued as events. */
class Simulation {
  private readonly queue = new EventQueue();
  private nowMs = 0;
  private decisions = 0;
  private clientInFlight = 0;
  private readonly model: string;
  private readonly nodes: EngineNode[];
  private readonly indexById: ReadonlyMap<string, number>;
  private readonly gateway: GatewayView;
  private readonly oracle: TrueCacheView | null;
  private readonly scheduler: Scheduler;
  private readonly stages: StageClock;
  private readonly records: RequestRecord[] = [];
  private readonly itlByStage: Map<number, LatencyHistogram>;
  /** Arrivals held back by the concurrency cap, oldest first. */
  private readonly held: RequestRun[] = [];
  private heldHead = 0;
  private readonly hooks: RequestRunHooks;
  private readonly learning: LatencyLearning | null;

  constructor(private readonly options: SimulationOptions) {
    this.model = options.model ?? "bench-model";
    const descriptors = engineDescriptors(options.engineCount, this.model);
    const engines = descriptors.map((_, i) => options.engines.create(i, options.policy.needsOracle));
    const ids = descriptors.map((d) => d.id);
    this.oracle = options.policy.needsOracle ? new TrueCacheView(engines, ids, options.engines.hasher) : null;
    const oracle = this.oracle;
    this.nodes = engines.map(
      (engine, i) =>
        new EngineNode(i, ids[i]!, engine, this.queue, function deliverKvEvents(node) {
          // The oracle's view: every step's events applied at once, the engine's true cache.
          oracle?.applyEvents(node.index, node.engine.takeEvents());
        }),
    );
    this.indexById = new Map(ids.map((id, i) => [id, i]));
    this.gateway = new GatewayView(descriptors, engines);
    this.learning = latencyLearningFor(options, () => this.nowMs);
    this.scheduler = options.policy.create({
      rng: createSeededRng(options.seed),
      now: () => this.nowMs,
      oracle,
      latencyPredictor: this.learning?.predictor ?? null,
    });
    this.itlByStage = new Map(options.workload.stages.map((s) => [s.index, new LatencyHistogram()]));
    const queue = this.queue;
    this.stages = new StageClock(options.workload, options.drainBetweenStages ?? true, (atMs, run) =>
      queue.push(atMs, run),
    );
    this.stages.onArrival = (request) => this.arrive(request);
    const simulation = this;
    this.hooks = {
      onFirstToken(run) {
        oracle?.firstToken(run.id);
      },
      onDone(run, timeMs) {
        oracle?.finished(run.id);
        queue.push(timeMs, function afterRequestDone() {
          simulation.afterDone(run);
        });
      },
    };
  }

  run(): SimulationResult {
    const scrapeIntervalMs = this.options.scrapeIntervalMs ?? 100;
    const simulation = this;
    this.queue.push(0, function scrapeMetrics() {
      simulation.gateway.scrape(simulation.nowMs);
      if (!simulation.stages.isFinished)
        simulation.queue.push(simulation.nowMs + scrapeIntervalMs, scrapeMetrics);
    });
    this.stages.start(0);
    let events = 0;
    for (let event = this.queue.pop(); event !== undefined; event = this.queue.pop()) {
      this.nowMs = event.timeMs;
      events++;
      event.run();
    }
    this.records.sort((a, b) => a.index - b.index);
    return {
      records: this.records,
      itlByStage: this.itlByStage,
      stageStartMs: this.stages.startMs,
      virtualMs: this.nowMs,
      events,
      engineSteps: this.nodes.reduce((sum, node) => sum + node.steps, 0),
      decisions: this.decisions,
      predictor: this.learning?.summary() ?? null,
    };
  }

  private arrive(request: WorkloadRequest): void {
    const itl = this.itlByStage.get(request.stage)!;
    const run = new RequestRun(`req-${request.index}`, request, this.nowMs, itl, this.hooks);
    const cap = this.options.maxConcurrency ?? 0;
    if (cap > 0 && this.clientInFlight >= cap) this.held.push(run);
    else this.send(run);
  }

  /** The gateway's decision, at the arrival (or when the concurrency cap lets the request go). */
  private send(run: RequestRun): void {
    this.clientInFlight++;
    run.sentMs = this.nowMs;
    const tokens = run.request.promptTokenIds();
    this.oracle?.register(run.id, tokens, run.request.maxTokens);
    const request = toSchedulingRequest(run, tokens, this.model);
    this.decisions++;
    const decision = this.scheduler.schedule(request, this.gateway.snapshots());
    if (!decision.ok) {
      run.fail(this.nowMs, decision.code);
      return;
    }
    const id = decision.endpoint.descriptor.id;
    const index = this.indexById.get(id)!;
    this.scheduler.onPicked?.(request, id);
    this.oracle?.routed(run.id, index);
    run.endpoint = id;
    run.engineIndex = index;
    run.latencyPick =
      this.learning?.pick(request, decision.endpoint, decision.cachedTokensEstimate ?? 0) ?? null;
    const cached = Math.min(run.request.promptTokens, decision.cachedTokensEstimate ?? 0);
    run.lease = this.gateway.acquire(index, run.request.promptTokens - cached, run.request.maxTokens);
    // The sim server's API overhead (HTTP, tokenize) passes before the engine sees the request.
    const apiOverheadMs = this.options.engines.apiOverheadMs;
    if (apiOverheadMs > 0) this.queue.push(this.nowMs + apiOverheadMs, () => this.dispatch(run, tokens));
    else this.dispatch(run, tokens);
  }

  private dispatch(run: RequestRun, tokens: readonly number[]): void {
    const node = this.nodes[run.engineIndex]!;
    const refusal = node.engine.add(run.toSimRequest(tokens), run, this.nowMs);
    if (refusal !== null) {
      run.fail(this.nowMs, refusal.kind);
      return;
    }
    node.wake(this.nowMs);
  }

  private afterDone(run: RequestRun): void {
    const record = run.record!;
    this.records.push(record);
    // The gateway's onRequestDone: successful requests with a first token, timed from the pick.
    if (
      this.learning !== null &&
      run.latencyPick !== null &&
      record.error === null &&
      record.firstTokenMs !== null
    ) {
      const tpotMs = record.itlCount > 0 ? record.itlSumMs / record.itlCount : null;
      this.learning.finished(run.latencyPick, record.stage, record.firstTokenMs - record.sentMs, tpotMs);
    }
    this.clientInFlight--;
    this.stages.requestDone(run.request.stage, this.nowMs);
    if (this.heldHead < this.held.length) {
      const next = this.held[this.heldHead++]!;
      this.send(next);
    }
  }
}

function latencyLearningFor(options: SimulationOptions, now: () => number): LatencyLearning | null {
  if (options.policy.needsPredictor !== true) return null;
  if (options.latencyPredictor === undefined) {
    throw new BenchError(
      "bench_invalid_options",
      `${options.policy.name} routes on latency predictions: the simulation needs a latency predictor`,
    );
  }
  return new LatencyLearning(options.latencyPredictor(now));
}

function toSchedulingRequest(run: RequestRun, tokens: readonly number[], model: string): SchedulingRequest {
  const { maxTokens } = run.request;
  // The headers the load generator sends (priority, fairness id, SLOs).
  const headers = new Headers(requestHeaders(run.request, null));
  return {
    requestId: run.id,
    model,
    loraName: null,
    path: "/v1/completions",
    // The body the load generator sends in completions mode.
    body: { model, prompt: tokens, max_tokens: maxTokens, stream: true, ignore_eos: true },
    headers,
    promptTokenEstimate: tokens.length,
  };
}
