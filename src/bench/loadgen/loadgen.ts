// The real-time load generator: open-loop arrivals at the workload's offsets (Poisson or trace-timed),
// stage by stage, round-robin over one or more base URLs, with an optional cap on requests in flight.
import { LatencyHistogram } from "../metrics/latency-histogram.ts";
import type { RequestRecord, Workload, WorkloadRequest } from "../types.ts";
import { type ApiKind, requestBody, requestHeaders, routePath } from "./request-body.ts";
import { runStreamedRequest } from "./sse-request.ts";

export interface LoadProgress {
  readonly stage: number;
  readonly stages: number;
  readonly stageQps: number;
  readonly isWarmup: boolean;
  readonly sent: number;
  readonly completed: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly total: number;
  readonly elapsedMs: number;
}

export interface LoadOptions {
  readonly workload: Workload;
  /** Base URLs (http://host:port); requests rotate over them. */
  readonly urls: readonly string[];
  readonly model: string;
  readonly api: ApiKind;
  readonly apiKey?: string | null;
  readonly ignoreEos?: boolean;
  /** Cap on requests in flight; 0 = none (open loop). */
  readonly maxConcurrency?: number;
  readonly timeoutMs?: number;
  /** Wait for a stage's requests to finish before the next stage (default true). */
  readonly drainBetweenStages?: boolean;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (progress: LoadProgress) => void;
  readonly progressIntervalMs?: number;
}

export interface LoadResult {
  readonly records: RequestRecord[];
  readonly itlByStage: ReadonlyMap<number, LatencyHistogram>;
  readonly stageStartMs: ReadonlyMap<number, number>;
  readonly wallMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms));
  const t0 = now();
  const clock = () => now() - t0;
  const { workload } = options;
  const records: RequestRecord[] = [];
  const itlByStage = new Map(workload.stages.map((s) => [s.index, new LatencyHistogram()]));
  const stageStartMs = new Map<number, number>();
  const limit = options.maxConcurrency ?? 0;
  const queued: (() => void)[] = [];
  const counts = { sent: 0, completed: 0, failed: 0, inFlight: 0, stage: 0 };
  let nextUrl = 0;

  const progress = () =>
    options.onProgress?.({
      stage: counts.stage,
      stages: workload.stages.length,
      stageQps: workload.stages[counts.stage]?.qps ?? 0,
      isWarmup: workload.stages[counts.stage]?.isWarmup ?? false,
      sent: counts.sent,
      completed: counts.completed,
      failed: counts.failed,
      inFlight: counts.inFlight,
      total: workload.requests.length,
      elapsedMs: clock(),
    });
  const timer = setInterval(progress, options.progressIntervalMs ?? 1000);

  async function issue(request: WorkloadRequest, arrivalMs: number): Promise<void> {
    if (limit > 0 && counts.inFlight >= limit) await new Promise<void>((resolve) => queued.push(resolve));
    counts.inFlight++;
    counts.sent++;
    const base = options.urls[nextUrl++ % options.urls.length]!;
    const record = await runStreamedRequest({
      request,
      url: `${base}${routePath(options.api)}`,
      body: JSON.stringify(
        requestBody(request, {
          api: options.api,
          model: options.model,
          ignoreEos: options.ignoreEos ?? true,
        }),
      ),
      headers: requestHeaders(request, options.apiKey ?? null),
      arrivalMs,
      sentMs: clock(),
      endpoint: base,
      timeoutMs: options.timeoutMs ?? 600_000,
      now: clock,
      itl: itlByStage.get(request.stage)!,
    });
    records.push(record);
    counts.inFlight--;
    if (record.error === null) counts.completed++;
    else counts.failed++;
    queued.shift()?.();
  }

  try {
    let pending: Promise<void>[] = [];
    for (const stage of workload.stages) {
      counts.stage = stage.index;
      const startMs = clock();
      stageStartMs.set(stage.index, startMs);
      for (const request of workload.requests) {
        if (request.stage !== stage.index) continue;
        const waitMs = startMs + request.offsetMs - clock();
        if (waitMs > 0) await sleep(waitMs);
        pending.push(issue(request, startMs + request.offsetMs));
      }
      if (options.drainBetweenStages ?? true) {
        await Promise.all(pending);
        pending = [];
      }
      const restMs = startMs + stage.durationMs - clock();
      if (restMs > 0) await sleep(restMs);
    }
    await Promise.all(pending);
  } finally {
    clearInterval(timer);
  }
  progress();
  records.sort((a, b) => a.index - b.index);
  return { records, itlByStage, stageStartMs, wallMs: clock() };
}

/** The first model a server lists at /v1/models (for runs that do not name one). */
export async function firstServedModel(baseUrl: string, apiKey: string | null): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/models`, {
    headers: apiKey === null ? {} : { authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`GET ${baseUrl}/v1/models: HTTP ${response.status}`);
  const json = (await response.json()) as { data?: { id?: unknown }[] };
  const id = json.data?.[0]?.id;
  if (typeof id !== "string") throw new Error(`GET ${baseUrl}/v1/models: no model listed`);
  return id;
}
