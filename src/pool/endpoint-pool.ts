// The endpoint set: descriptors from discovery, health, circuit breakers, scraped metrics and
// in-flight load, exposed as immutable snapshots for the scheduler and the gateway.
import { createCircuitBreaker } from "./circuit-breaker.ts";
import { InFlightTracker } from "./in-flight.ts";
import type {
  EndpointDescriptor,
  EndpointSnapshot,
  EngineMetrics,
  InFlightLoad,
  LoadLease,
} from "./types.ts";

export interface EndpointPoolOptions {
  /** Gateway clock in ms. */
  readonly now: () => number;
  readonly circuitFailureThreshold?: number;
  readonly circuitOpenMs?: number;
}

/** How a request's model name maps to engines: a base model, or a LoRA adapter of one. */
export interface ResolvedModel {
  /** The base model (the pool of engines that serve it). */
  readonly baseModel: string;
  /** Set when the requested name is a LoRA adapter. */
  readonly loraName: string | null;
}

interface Entry {
  descriptor: EndpointDescriptor;
  metrics: EngineMetrics | null;
  isHealthy: boolean;
  readonly circuit: ReturnType<typeof createCircuitBreaker>;
}

export type PoolChangeListener = () => void;

/** Owns every endpoint's state; all reads are snapshots, so deciding never sees a half-update. */
export class EndpointPool {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new InFlightTracker();
  private readonly listeners = new Set<PoolChangeListener>();
  private readonly metricsListeners = new Set<PoolChangeListener>();

  constructor(private readonly options: EndpointPoolOptions) {}

  /** Adds or replaces an endpoint (healthy until a health check says otherwise). */
  upsert(descriptor: EndpointDescriptor): void {
    const existing = this.entries.get(descriptor.id);
    if (existing !== undefined) {
      existing.descriptor = descriptor;
    } else {
      const circuit = createCircuitBreaker(
        {
          failureThreshold: this.options.circuitFailureThreshold ?? 5,
          openMs: this.options.circuitOpenMs ?? 10_000,
        },
        this.options.now,
      );
      this.entries.set(descriptor.id, { descriptor, metrics: null, isHealthy: true, circuit });
    }
    this.changed();
  }

  remove(id: string): void {
    if (this.entries.delete(id)) this.changed();
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  setHealth(id: string, isHealthy: boolean): void {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.isHealthy === isHealthy) return;
    entry.isHealthy = isHealthy;
    this.changed();
  }

  setMetrics(id: string, metrics: EngineMetrics): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    entry.metrics = metrics;
    for (const listener of this.metricsListeners) listener();
  }

  /** Claims the right to send one attempt to `id` (takes the probe slot of a half-open circuit). */
  admitAttempt(id: string): boolean {
    return this.entries.get(id)?.circuit.canRequest() ?? false;
  }

  recordSuccess(id: string): void {
    this.entries.get(id)?.circuit.recordSuccess();
  }

  recordFailure(id: string): void {
    this.entries.get(id)?.circuit.recordFailure();
  }

  /** Registers a request's load on an endpoint. */
  acquire(id: string, prefillTokens: number, decodeTokens: number): LoadLease {
    return this.inFlight.acquire(id, prefillTokens, decodeTokens);
  }

  inFlightLoad(id: string): InFlightLoad {
    return this.inFlight.load(id);
  }

  totalInFlight(): number {
    return this.inFlight.totalRequests();
  }

  /** Every endpoint, as of now. */
  snapshot(): EndpointSnapshot[] {
    return [...this.entries.values()].map((entry) => this.toSnapshot(entry));
  }

  /**
   * Endpoints that serve `model` (as a served name) and may take requests: healthy, circuit not open.
   * A half-open endpoint is listed; call `admitAttempt` for the one actually chosen.
   */
  candidates(model: string): EndpointSnapshot[] {
    const out: EndpointSnapshot[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.descriptor.models.includes(model) || !entry.isHealthy || entry.circuit.state() === "open")
        continue;
      out.push(this.toSnapshot(entry));
    }
    return out;
  }

  /** Maps a requested model name to a base model (and LoRA adapter); null when nothing serves it. */
  resolveModel(name: string): ResolvedModel | null {
    for (const entry of this.entries.values()) {
      if (entry.descriptor.models.includes(name)) return { baseModel: name, loraName: null };
    }
    for (const entry of this.entries.values()) {
      const base = entry.descriptor.models[0];
      if (base !== undefined && entry.descriptor.loraAdapters.includes(name))
        return { baseModel: base, loraName: name };
    }
    return null;
  }

  /** Served names and LoRA adapters (with their base), each once, in discovery order. */
  modelNames(): { readonly id: string; readonly parent: string | null }[] {
    const seen = new Map<string, string | null>();
    for (const entry of this.entries.values()) {
      for (const model of entry.descriptor.models) if (!seen.has(model)) seen.set(model, null);
    }
    for (const entry of this.entries.values()) {
      const base = entry.descriptor.models[0] ?? null;
      for (const lora of entry.descriptor.loraAdapters) if (!seen.has(lora)) seen.set(lora, base);
    }
    return [...seen].map(([id, parent]) => ({ id, parent }));
  }

  onChange(listener: PoolChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called after every setMetrics (each scrape that lands), for consumers waiting on capacity such as
   * flow control; kept apart from onChange, whose listeners do per-change work scrapes must not trigger.
   */
  onMetrics(listener: PoolChangeListener): () => void {
    this.metricsListeners.add(listener);
    return () => this.metricsListeners.delete(listener);
  }

  private toSnapshot(entry: Entry): EndpointSnapshot {
    return {
      descriptor: entry.descriptor,
      metrics: entry.metrics,
      inFlight: this.inFlight.load(entry.descriptor.id),
      isHealthy: entry.isHealthy,
      circuit: entry.circuit.state(),
    };
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
