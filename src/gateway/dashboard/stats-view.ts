// The body of GET /admin/stats: the live request series and headline numbers, every engine (the
// pool's endpoints joined with the supervisor's instances), recent routing decisions, P/D and
// flow-control state. One JSON document so the dashboard draws each frame from one consistent read.
import type { EndpointSnapshot, InFlightLoad } from "../../pool/index.ts";
import type { DecisionExplanation } from "../../scheduler/index.ts";
import type { AdminInstance, GatewayContext } from "../context.ts";
import type { StatsSeries, StatsSummary } from "../stats.ts";

/** Headline numbers cover this many seconds. */
const SUMMARY_WINDOW_S = 60;

export interface StatsQuery {
  readonly windowS: number;
  readonly stepS: number;
  readonly decisions: number;
}

/** One engine as the dashboard shows it; fields the node does not know are null. */
export interface EngineView {
  readonly id: string;
  readonly model: string;
  readonly role: string;
  readonly source: string;
  /** Supervisor state (starting, ready, draining, crashed, ...) or, for other endpoints, ready/unhealthy. */
  readonly state: string;
  readonly isHealthy: boolean | null;
  readonly circuit: string | null;
  readonly gpus: readonly number[];
  readonly restarts: number | null;
  readonly uptimeMs: number | null;
  readonly lastError: string | null;
  readonly inFlight: InFlightLoad;
  readonly waiting: number | null;
  readonly running: number | null;
  readonly kvUsageRatio: number | null;
  readonly scrapedAtMs: number | null;
  /** Cached share of the prompt tokens this gateway sent there (engine-reported usage); null before any. */
  readonly cacheHitRatio: number | null;
  readonly servedRequests: number;
}

export interface PdView {
  readonly prefillEngines: number;
  readonly decodeEngines: number;
  /** Among the recent decisions shown, those that added a prefill leg. */
  readonly splitDecisions: number;
  readonly shownDecisions: number;
}

export interface StatsView {
  readonly nowMs: number;
  readonly version: string;
  readonly inFlight: number;
  readonly summary: StatsSummary | null;
  readonly series: StatsSeries | null;
  readonly engines: readonly EngineView[];
  readonly decisions: readonly DecisionExplanation[];
  /** null: no engine has a prefill or decode role. */
  readonly pd: PdView | null;
  /** Flow control's queues, saturation and outcomes as label → value facts; null when it does not run. */
  readonly flow: FlowFacts | null;
}

/** Flat, bounded facts (per model and priority band, per outcome) the dashboard lists as they come. */
export type FlowFacts = Readonly<Record<string, string | number>>;

export function buildStatsView(ctx: GatewayContext, query: StatsQuery): StatsView {
  const nowMs = ctx.now();
  const engines = engineViews(ctx);
  const decisions = query.decisions === 0 ? [] : (ctx.scheduler.recentDecisions?.(query.decisions) ?? []);
  return {
    nowMs,
    version: ctx.version,
    inFlight: ctx.pool.totalInFlight(),
    summary: ctx.stats?.summary(nowMs, SUMMARY_WINDOW_S) ?? null,
    series: ctx.stats?.series(nowMs, query.windowS, query.stepS) ?? null,
    engines,
    decisions,
    pd: pdView(engines, decisions),
    flow: flowFacts(ctx),
  };
}

function engineViews(ctx: GatewayContext): EngineView[] {
  const snapshots = new Map(ctx.pool.snapshot().map((s) => [s.descriptor.id, s]));
  const instances = ctx.node.instances();
  const views = instances.map((instance) => toView(ctx, instance.id, snapshots.get(instance.id), instance));
  const supervised = new Set(instances.map((i) => i.id));
  for (const [id, snapshot] of snapshots) {
    if (!supervised.has(id)) views.push(toView(ctx, id, snapshot, undefined));
  }
  return views.sort((a, b) => a.id.localeCompare(b.id));
}

function toView(
  ctx: GatewayContext,
  id: string,
  snapshot: EndpointSnapshot | undefined,
  instance: AdminInstance | undefined,
): EngineView {
  const totals = ctx.stats?.endpointTotals().get(id);
  const metrics = snapshot?.metrics ?? null;
  return {
    id,
    model: instance?.model ?? snapshot?.descriptor.models[0] ?? "",
    role: instance?.role ?? snapshot?.descriptor.role ?? "both",
    source: snapshot?.descriptor.source ?? "supervisor",
    state: instance?.state ?? (snapshot?.isHealthy === false ? "unhealthy" : "ready"),
    isHealthy: snapshot?.isHealthy ?? null,
    circuit: snapshot?.circuit ?? null,
    gpus: instance?.gpus ?? [],
    restarts: instance?.restarts ?? null,
    uptimeMs: instance?.uptimeMs ?? null,
    lastError: instance?.lastError ?? null,
    inFlight: snapshot?.inFlight ?? ctx.pool.inFlightLoad(id),
    waiting: metrics?.waitingRequests ?? null,
    running: metrics?.runningRequests ?? null,
    kvUsageRatio: metrics?.kvUsageRatio ?? null,
    scrapedAtMs: metrics?.scrapedAtMs ?? null,
    cacheHitRatio:
      totals === undefined || totals.promptTokens === 0 ? null : totals.cachedTokens / totals.promptTokens,
    servedRequests: totals?.requests ?? 0,
  };
}

function pdView(engines: readonly EngineView[], decisions: readonly DecisionExplanation[]): PdView | null {
  const prefillEngines = engines.filter((e) => e.role === "prefill").length;
  const decodeEngines = engines.filter((e) => e.role === "decode").length;
  if (prefillEngines === 0 && decodeEngines === 0) return null;
  return {
    prefillEngines,
    decodeEngines,
    splitDecisions: decisions.filter((d) => d.prefill !== undefined).length,
    shownDecisions: decisions.length,
  };
}

function flowFacts(ctx: GatewayContext): FlowFacts | null {
  const flow = ctx.flowControl;
  if (flow === undefined) return null;
  const stats = flow.admission.stats();
  const facts: Record<string, string | number> = {
    mode: flow.config.enabled ? "queueing (flow.enabled)" : "per-key rate limits only",
    "queued requests": stats.queuedRequests,
    "queued bytes": stats.queuedBytes,
  };
  for (const [model, state] of Object.entries(stats.models)) {
    facts[`${model}: in flight`] = state.inFlight;
    facts[`${model}: saturation`] = Number(state.saturation.toFixed(2));
    for (const [band, queued] of Object.entries(state.bands))
      facts[`${model}: queued at priority ${band}`] = queued;
  }
  for (const [outcome, count] of Object.entries(stats.outcomes).sort()) facts[outcome] = count;
  return facts;
}
