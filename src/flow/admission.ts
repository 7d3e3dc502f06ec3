// The admission controller (llm-d flow control, §4): per model, strict priority bands with fairness
// across flows; requests wait while the pool is saturated and are dispatched as capacity frees, so the
// scheduler picks an endpoint at dispatch time. Every request gets exactly one result.
import type { FlowConfig } from "../config/index.ts";
import type { EndpointSnapshot } from "../pool/index.ts";
import {
  type BuildPolicyDeps,
  buildFlowPolicies,
  type FlowConfigProblem,
  type FlowPolicies,
} from "./build-policies.ts";
import { createBuiltinFlowRegistry } from "./builtin.ts";
import { FLOW_ERRORS, type FlowErrorCode } from "./errors.ts";
import { DispatchLedger } from "./ledger.ts";
import { QueueEntry } from "./queue/entry.ts";
import { QueueSet } from "./queue/queue-set.ts";
import type { RateLimiter, Timers } from "./rate-limit/rate-limiter.ts";
import type { FlowPolicyRegistry } from "./registry.ts";
import type { AdmissionRequest, AdmissionTicket, AdmitResult, FlowRejection, TokenUsage } from "./types.ts";

export interface AdmissionDeps extends BuildPolicyDeps {
  /** Validated `flow:` config. */
  readonly config: FlowConfig;
  /** Gateway clock in ms (the clock of metrics' scrapedAtMs). */
  readonly now: () => number;
  /** The endpoints that can serve `model` now (the scheduler's candidates). */
  readonly snapshot: (model: string) => readonly EndpointSnapshot[];
  readonly timers?: Timers;
  /** Per-key limits; absent = none enforced. */
  readonly rateLimiter?: RateLimiter;
  readonly registry?: FlowPolicyRegistry;
}

export interface AdmissionStats {
  readonly queuedRequests: number;
  readonly queuedBytes: number;
  /** model → queued, priority → queued, admitted and not released, saturation now. */
  readonly models: Readonly<
    Record<string, { queued: number; bands: Record<string, number>; inFlight: number; saturation: number }>
  >;
  /** outcome → count: "admitted", "admitted_after_queue", or a flow error code. */
  readonly outcomes: Readonly<Record<string, number>>;
}

export interface Admission {
  /** Resolves when the request may proceed (with a ticket to release when it ends) or is rejected. */
  admit(request: AdmissionRequest): Promise<AdmitResult>;
  /** Capacity may have freed (a scrape landed, an endpoint joined): dispatch what may go now. */
  notify(model?: string): void;
  /** Pool saturation of `model` now: the largest detector value (≥ 1 = saturated). */
  saturation(model: string): number;
  stats(): AdmissionStats;
  /** Rejects every queued request with flow_shutting_down, and every later one. */
  close(): void;
}

export type CreateAdmissionResult =
  | { readonly ok: true; readonly admission: Admission }
  | { readonly ok: false; readonly problems: readonly FlowConfigProblem[] };

export function createAdmission(deps: AdmissionDeps): CreateAdmissionResult {
  const built = buildFlowPolicies(deps.config, deps.registry ?? createBuiltinFlowRegistry(), deps);
  if (!built.ok) return built;
  return { ok: true, admission: new AdmissionController(deps, built.policies) };
}

/** A rejection in the catalogue's words; retryAfterS null leaves the gateway's default. */
export function toRejection(code: FlowErrorCode, retryAfterS: number | null = null): FlowRejection {
  const { gatewayCode, dropReason, message } = FLOW_ERRORS[code];
  return { code, gatewayCode, dropReason, retryAfterS, message };
}

class AdmissionController implements Admission {
  private readonly queued: QueueSet;
  private readonly ledgers = new Map<string, DispatchLedger>();
  private readonly outcomes: Record<string, number> = {};
  private readonly timers: Timers;
  private timer: unknown = null;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private seq = 0;
  private isClosed = false;

  constructor(
    private readonly deps: AdmissionDeps,
    private readonly policies: FlowPolicies,
  ) {
    this.timers = deps.timers ?? globalThis;
    this.queued = new QueueSet(policies.ordering);
  }

  async admit(request: AdmissionRequest): Promise<AdmitResult> {
    const arrivedMs = this.deps.now();
    const limits = request.rateLimits;
    if (!this.isClosed && !request.signal?.aborted && limits && this.deps.rateLimiter) {
      const decision = await this.deps.rateLimiter.check(limits.key, limits);
      if (!decision.ok) {
        const code =
          decision.limit === "requests" ? "flow_rate_limited_requests" : "flow_rate_limited_tokens";
        return this.reject(code, arrivedMs, Math.ceil(decision.retryAfterMs / 1000));
      }
    }
    if (this.isClosed) return this.reject("flow_shutting_down", arrivedMs);
    if (request.signal?.aborted) return this.reject("flow_cancelled", arrivedMs);
    const endpoints = this.deps.snapshot(request.model);
    const isSaturated = this.saturationOf(request.model, endpoints) >= 1;
    if (request.priority < 0 && isSaturated) return this.reject("flow_rejected_saturated", arrivedMs);
    for (const admitter of this.policies.admitters) {
      if (!admitter.admit(request, endpoints)) return this.reject("flow_slo_unattainable", arrivedMs);
    }
    const nowMs = this.deps.now();
    const deadlineMs = nowMs + (request.ttlMs ?? this.deps.config.default_ttl_ms);
    if (!isSaturated && this.queued.sizeOf(request.model) === 0) {
      this.policies.fairness.onDispatch?.(
        { request, enqueuedAtMs: nowMs, deadlineMs, seq: this.seq++ },
        nowMs,
      );
      this.count("admitted");
      return { ok: true, ticket: this.ticket(request), queuedMs: nowMs - arrivedMs };
    }
    if (!this.makeRoom(request)) return this.reject("flow_queue_full", arrivedMs);
    return new Promise<AdmitResult>((resolve) => {
      const entry = new QueueEntry(request, nowMs, deadlineMs, this.seq++, resolve);
      this.queued.push(entry);
      const signal = request.signal;
      if (signal !== undefined) {
        const onAbort = () => this.drop(entry, "flow_cancelled");
        signal.addEventListener("abort", onAbort, { once: true });
        entry.detach = () => signal.removeEventListener("abort", onAbort);
      }
      this.dispatch(request.model);
      this.schedule();
    });
  }

  notify(model?: string): void {
    for (const name of model === undefined ? [...this.queued.models()] : [model]) this.dispatch(name);
    this.schedule();
  }

  saturation(model: string): number {
    return this.saturationOf(model, this.deps.snapshot(model));
  }

  stats(): AdmissionStats {
    const models: Record<string, AdmissionStats["models"][string]> = {};
    for (const model of new Set([...this.queued.models(), ...this.ledgers.keys()])) {
      models[model] = {
        queued: this.queued.sizeOf(model),
        bands: this.queued.bandSizes(model),
        inFlight: this.ledgerOf(model).requests,
        saturation: this.saturation(model),
      };
    }
    const outcomes = { ...this.outcomes };
    return { queuedRequests: this.queued.size, queuedBytes: this.queued.bytes, models, outcomes };
  }

  close(): void {
    this.isClosed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    for (const entry of this.queued.entries()) this.drop(entry, "flow_shutting_down");
  }

  private saturationOf(model: string, endpoints: readonly EndpointSnapshot[]): number {
    const ledger = this.ledgerOf(model);
    const nowMs = this.deps.now();
    let saturation = 0;
    for (const detector of this.policies.detectors) {
      saturation = Math.max(saturation, detector.saturation(endpoints, ledger, nowMs));
    }
    return saturation;
  }

  /** Dispatches queued requests of `model`, best first, while its pool is not saturated. */
  private dispatch(model: string): void {
    if (this.queued.sizeOf(model) === 0) return;
    const endpoints = this.deps.snapshot(model);
    while (this.queued.sizeOf(model) > 0 && this.saturationOf(model, endpoints) < 1) {
      const nowMs = this.deps.now();
      const entry = this.queued.take(model, this.policies.fairness, nowMs) as QueueEntry;
      this.policies.fairness.onDispatch?.(entry, nowMs);
      this.count("admitted_after_queue");
      const ticket = this.ticket(entry.request);
      this.settle(entry, { ok: true, ticket, queuedMs: nowMs - entry.enqueuedAtMs });
    }
  }

  /** Dispatch first (work-conserving), then expire what reached its deadline, then re-arm. */
  private onTimer(): void {
    this.timer = null;
    this.timerAtMs = Number.POSITIVE_INFINITY;
    for (const model of [...this.queued.models()]) this.dispatch(model);
    const nowMs = this.deps.now();
    for (let next = this.queued.nextDeadline(); next !== undefined && next.deadlineMs <= nowMs; ) {
      const hasEndpoints = this.deps.snapshot(next.request.model).length > 0;
      this.drop(next, hasEndpoints ? "flow_ttl_expired" : "flow_ttl_expired_no_endpoints");
      next = this.queued.nextDeadline();
    }
    this.schedule();
  }

  /** One timer: the next deadline, or the next saturation poll while anything is queued. */
  private schedule(): void {
    if (this.isClosed) return;
    const next = this.queued.nextDeadline();
    const pollAtMs = this.deps.now() + this.deps.config.dispatch_poll_ms;
    const atMs = next === undefined ? Number.POSITIVE_INFINITY : Math.min(next.deadlineMs, pollAtMs);
    if (atMs === this.timerAtMs) return;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAtMs = atMs;
    if (atMs === Number.POSITIVE_INFINITY) return;
    this.timer = this.timers.setTimeout(() => this.onTimer(), Math.max(0, atMs - this.deps.now()));
  }

  /** Evicts lower-priority queued requests (lowest, then newest) until `request` fits; false when it cannot. */
  private makeRoom(request: AdmissionRequest): boolean {
    const { max_queued_requests: maxRequests, max_queued_bytes: maxBytes } = this.deps.config;
    if (request.sizeBytes > maxBytes) return false;
    while (this.queued.size + 1 > maxRequests || this.queued.bytes + request.sizeBytes > maxBytes) {
      const victim = this.queued.evictionCandidate();
      if (victim === undefined || victim.request.priority >= request.priority) return false;
      this.drop(victim, "flow_evicted");
    }
    return true;
  }

  private ticket(request: AdmissionRequest): AdmissionTicket {
    const tokens = request.promptTokens + request.expectedOutputTokens;
    const ledger = this.ledgerOf(request.model);
    ledger.admit(tokens);
    let isReleased = false;
    return {
      release: (usage?: TokenUsage) => {
        if (isReleased) return;
        isReleased = true;
        ledger.release(tokens);
        if (usage !== undefined) this.recordUsage(request, usage);
        this.notify(request.model);
      },
    };
  }

  private recordUsage(request: AdmissionRequest, usage: TokenUsage): void {
    const limits = request.rateLimits;
    const tokens = usage.promptTokens + usage.completionTokens;
    if (limits && this.deps.rateLimiter) this.deps.rateLimiter.recordUsage(limits.key, limits.tpm, tokens);
    this.policies.fairness.onUsage?.(request, usage, this.deps.now());
  }

  /** Takes a queued entry out and rejects it with `code`. */
  private drop(entry: QueueEntry, code: FlowErrorCode): void {
    if (entry.isSettled) return;
    this.queued.remove(entry);
    this.count(code);
    const queuedMs = this.deps.now() - entry.enqueuedAtMs;
    this.settle(entry, { ok: false, rejection: toRejection(code), queuedMs });
  }

  private settle(entry: QueueEntry, result: AdmitResult): void {
    entry.isSettled = true;
    entry.detach();
    entry.settle(result);
  }

  private reject(code: FlowErrorCode, arrivedMs: number, retryAfterS: number | null = null): AdmitResult {
    this.count(code);
    return { ok: false, rejection: toRejection(code, retryAfterS), queuedMs: this.deps.now() - arrivedMs };
  }

  private count(outcome: string): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }

  private ledgerOf(model: string): DispatchLedger {
    let ledger = this.ledgers.get(model);
    if (ledger === undefined) {
      ledger = new DispatchLedger();
      this.ledgers.set(model, ledger);
    }
    return ledger;
  }
}
