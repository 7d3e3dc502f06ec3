// Builders for flow tests: endpoint snapshots, admission requests, a parsed flow config and an admission
// controller on a fake clock.
import { FlowSchema } from "../../src/config/schema/flow.ts";
import {
  type Admission,
  type AdmissionDeps,
  type AdmissionRequest,
  createAdmission,
} from "../../src/flow/index.ts";
import type { EndpointSnapshot, EngineMetrics, InFlightLoad } from "../../src/pool/index.ts";
import { FakeClock } from "./fake-clock.ts";

export interface EndpointOptions {
  readonly metrics?: Partial<EngineMetrics> | null;
  readonly inFlight?: Partial<InFlightLoad>;
  readonly isHealthy?: boolean;
  readonly circuit?: EndpointSnapshot["circuit"];
}

/** An endpoint of model "m" with metrics scraped at `scrapedAtMs` (idle unless told otherwise). */
export function endpoint(id: string, scrapedAtMs: number, options: EndpointOptions = {}): EndpointSnapshot {
  return {
    descriptor: {
      id,
      baseUrl: `http://${id}`,
      models: ["m"],
      loraAdapters: [],
      role: "both",
      labels: {},
      kvEvents: null,
      source: "static",
    },
    metrics:
      options.metrics === null
        ? null
        : {
            waitingRequests: 0,
            runningRequests: 0,
            kvUsageRatio: 0,
            blockSize: 16,
            numGpuBlocks: 1000,
            runningLoras: [],
            waitingLoras: [],
            maxLoras: null,
            scrapedAtMs,
            ...options.metrics,
          },
    inFlight: { requests: 0, prefillTokens: 0, decodeTokens: 0, ...options.inFlight },
    isHealthy: options.isHealthy ?? true,
    circuit: options.circuit ?? "closed",
  };
}

let nextId = 0;

export function request(overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    requestId: `r${nextId++}`,
    model: "m",
    priority: 0,
    fairnessId: "tenant",
    sizeBytes: 100,
    promptTokens: 100,
    expectedOutputTokens: 50,
    ...overrides,
  };
}

/** A parsed `flow:` section; `raw` takes the YAML field names. */
export function flowConfig(raw: Record<string, unknown> = {}): AdmissionDeps["config"] {
  return FlowSchema.parse({ enabled: true, ...raw });
}

/** Saturated when `capacity` requests are admitted and unreleased (utilization detector off the path). */
export function capacityDetectors(capacity: number): Record<string, unknown>[] {
  return [
    { type: "concurrency-detector", parameters: { concurrencyMode: "requests", maxConcurrency: capacity } },
  ];
}

export interface Harness {
  readonly clock: FakeClock;
  readonly admission: Admission;
  /** The endpoints returned for model "m"; replace to change what detectors see. */
  endpoints: EndpointSnapshot[];
}

export function harness(raw: Record<string, unknown> = {}, deps: Partial<AdmissionDeps> = {}): Harness {
  const clock = new FakeClock();
  const state = { endpoints: [endpoint("e0", clock.nowMs)] };
  const built = createAdmission({
    config: flowConfig(raw),
    now: clock.now,
    timers: clock,
    snapshot: () => state.endpoints,
    ...deps,
  });
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  return {
    clock,
    admission: built.admission,
    get endpoints() {
      return state.endpoints;
    },
    set endpoints(value) {
      state.endpoints = value;
    },
  };
}
