// Builders for scheduler tests: endpoint snapshots, requests, plugin deps, configs and cycle states.
import type { SchedulerConfig } from "../../src/config/index.ts";
import type { EndpointSnapshot, EngineMetrics, InFlightLoad } from "../../src/pool/index.ts";
import { MapCycleState } from "../../src/scheduler/cycle-state.ts";
import { createSeededRng, PREFIX_MATCH_KEY, type PrefixMatchInfo } from "../../src/scheduler/index.ts";
import type { CycleState, PluginDeps, SchedulingRequest, Scorer } from "../../src/scheduler/types.ts";

export const NOW_MS = 1_000_000;

export interface EndpointOptions {
  readonly metrics?: Partial<EngineMetrics> | null;
  readonly inFlight?: Partial<InFlightLoad>;
  readonly role?: EndpointSnapshot["descriptor"]["role"];
  readonly labels?: Record<string, string>;
  readonly models?: readonly string[];
  readonly loraAdapters?: readonly string[];
  readonly isHealthy?: boolean;
  readonly circuit?: EndpointSnapshot["circuit"];
}

/** A healthy endpoint serving model "m" with fresh, idle metrics unless told otherwise. */
export function endpoint(id: string, options: EndpointOptions = {}): EndpointSnapshot {
  const metrics: EngineMetrics | null =
    options.metrics === null
      ? null
      : {
          waitingRequests: 0,
          runningRequests: 0,
          kvUsageRatio: 0,
          blockSize: null,
          numGpuBlocks: null,
          runningLoras: [],
          waitingLoras: [],
          maxLoras: null,
          scrapedAtMs: NOW_MS,
          ...options.metrics,
        };
  return {
    descriptor: {
      id,
      baseUrl: `http://${id}`,
      models: options.models ?? ["m"],
      loraAdapters: options.loraAdapters ?? [],
      role: options.role ?? "both",
      labels: options.labels ?? {},
      kvEvents: null,
      source: "static",
    },
    metrics,
    inFlight: { requests: 0, prefillTokens: 0, decodeTokens: 0, ...options.inFlight },
    isHealthy: options.isHealthy ?? true,
    circuit: options.circuit ?? "closed",
  };
}

export interface RequestOptions extends Partial<Omit<SchedulingRequest, "headers">> {
  readonly headers?: Record<string, string>;
  /** Sets body.prompt and a promptTokenEstimate of length/4. */
  readonly prompt?: string;
}

export function request(options: RequestOptions = {}): SchedulingRequest {
  const { prompt, headers, ...rest } = options;
  const body = rest.body ?? (prompt === undefined ? {} : { prompt });
  return {
    requestId: "req-1",
    model: "m",
    loraName: null,
    path: "/v1/completions",
    promptTokenEstimate: prompt === undefined ? 100 : Math.ceil(prompt.length / 4),
    ...rest,
    body,
    headers: new Headers(headers ?? {}),
  };
}

export function pluginDeps(overrides: Partial<PluginDeps> = {}): PluginDeps {
  return { rng: createSeededRng(1), now: () => NOW_MS, metricsStalenessMs: 2000, ...overrides };
}

export function schedulerConfig(partial: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return {
    plugins: [],
    schedulingProfiles: [],
    metricsIntervalMs: 100,
    metricsStalenessMs: 2000,
    ...partial,
  };
}

/** A cycle state holding a prefix match: endpoint id → matched blocks. */
export function prefixCycle(
  totalBlocks: number,
  matched: Record<string, number>,
  blockSizeTokens = 16,
): CycleState {
  const cycle = new MapCycleState();
  const info: PrefixMatchInfo = { totalBlocks, blockSizeTokens, matchedBlocks: (id) => matched[id] ?? 0 };
  cycle.set(PREFIX_MATCH_KEY, info);
  return cycle;
}

/** Runs a scorer and returns its scores as a plain array. */
export function scores(
  scorer: Scorer,
  endpoints: readonly EndpointSnapshot[],
  req: SchedulingRequest = request(),
  cycle: CycleState = new MapCycleState(),
): number[] {
  const out = new Float64Array(endpoints.length);
  scorer.score(req, endpoints, cycle, out);
  return [...out];
}

export function ids(endpoints: readonly EndpointSnapshot[]): string[] {
  return endpoints.map((e) => e.descriptor.id);
}
