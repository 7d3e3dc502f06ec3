// The data-parallel engines of one `llmux sim` process: per rank a SimEngine, its real-time driver,
// its KV-event publisher (ports offset by rank) and P/D side channel; requests go to the pinned
// rank (X-data-parallel-rank) or the least loaded one.
import type { KvEvent, PromptTokenizer, RangeBlockHasher } from "../kvcache/index.ts";
import type { Logger } from "../telemetry/index.ts";
import type { SimCapacity } from "./capacity.ts";
import type { SimArgs } from "./cli-args.ts";
import { createSimEngine, startRealtimeDriver } from "./engine/index.ts";
import type { SimEngine, SimStep } from "./engine/types.ts";
import { simEngineOptions } from "./engine-options.ts";
import type { KvEventsConfig } from "./kv-events-config.ts";
import { type KvEventPublisher, startKvEventPublisher } from "./kv-publisher.ts";
import { EngineRequestStats } from "./metrics-recorder.ts";
import { type PdAgent, startPdAgent } from "./pd/agent.ts";
import type { KvTransferConfig } from "./pd/kv-transfer-config.ts";
import type { EnginePool, SimEngineHandle } from "./server/context.ts";
import { badRequest } from "./server/errors.ts";

export interface EnginePoolOptions {
  readonly args: SimArgs;
  readonly capacity: SimCapacity;
  readonly hasher: RangeBlockHasher;
  readonly tokenizer: PromptTokenizer;
  readonly kvEvents: KvEventsConfig;
  readonly kvTransfer: KvTransferConfig | null;
  readonly logger: Logger;
  /** Monotonic wall clock in ms (performance.now by default). */
  readonly wallNowMs?: () => number;
}

export interface RunningEnginePool extends EnginePool {
  readonly publishers: readonly (KvEventPublisher | null)[];
  readonly pdAgents: readonly (PdAgent | null)[];
  /** Stops every driver and closes publishers and side channels. */
  close(): Promise<void>;
}

/** Starts one engine per DP rank. Sockets are bound before this resolves. */
export async function startEnginePool(options: EnginePoolOptions): Promise<RunningEnginePool> {
  const { args } = options;
  const wallNowMs = options.wallNowMs ?? (() => performance.now());
  const startWallMs = wallNowMs();
  const nowMs = () => (wallNowMs() - startWallMs) * args.sim.timeScale;
  const handles: RankHandle[] = [];
  try {
    for (let local = 0; local < args.dataParallelSize; local++) {
      handles.push(await startRank(options, args.dataParallelRank + local, nowMs));
    }
  } catch (error) {
    await Promise.all(handles.map((handle) => handle.close()));
    throw error;
  }
  return {
    engines: handles,
    publishers: handles.map((h) => h.publisher),
    pdAgents: handles.map((h) => h.pd),
    pick: (pinned) => pickEngine(handles, pinned, args.dataParallelRank),
    close: async () => {
      await Promise.all(handles.map((handle) => handle.close()));
    },
  };
}

interface RankHandle extends SimEngineHandle {
  readonly publisher: KvEventPublisher | null;
  close(): Promise<void>;
}

async function startRank(options: EnginePoolOptions, rank: number, nowMs: () => number): Promise<RankHandle> {
  const { args, capacity, logger } = options;
  const log = logger.child({ engine: rank });
  const publisher = await startKvEventPublisher({
    config: options.kvEvents,
    dataParallelRank: rank,
    layout: args.sim.kvEventsLayout,
    onError: (error) => log.warn({ err: error }, "KV event publisher problem"),
  });
  let pd: PdAgent | null = null;
  try {
    pd = options.kvTransfer === null ? null : await startRankPdAgent(options, options.kvTransfer, rank);
  } catch (error) {
    await publisher?.close();
    throw error;
  }
  const engine = createRankEngine(options, rank, publisher !== null);
  const publishEvents = eventPublishing(publisher, args.sim.kvEventsGapEvery);
  let current: SimStep | null = null;
  // The driver sees a wrapper that remembers the step in flight, so callbacks can time themselves.
  const tracked: SimEngine = { ...engine, planStep: (at) => (current = engine.planStep(at)) };
  const requests = new EngineRequestStats(capacity.maxModelLen);
  const driver = startRealtimeDriver(tracked, {
    timeScale: args.sim.timeScale,
    now: nowMs,
    onStepDone: function onStepDone(events, step) {
      requests.recordStep(step.scheduledTokens);
      publishEvents(events);
    },
  });
  return {
    rank,
    engine,
    requests,
    pd,
    publisher,
    inFlight: 0,
    nowMs,
    wake: () => driver.wake(),
    currentStep: () => current,
    publishPendingEvents() {
      publishEvents(engine.takeEvents());
    },
    async close() {
      driver.stop();
      await Promise.all([publisher?.close(), pd?.close()]);
    },
  };
}

function createRankEngine(options: EnginePoolOptions, rank: number, emitKvEvents: boolean): SimEngine {
  const { args, capacity } = options;
  return createSimEngine({
    ...simEngineOptions(args, capacity, options.hasher, rank, emitKvEvents),
    // Bound: the HF tokenizer keeps its sample table in a private field.
    sampleTokenId: (random01) => options.tokenizer.sampleTokenId(random01),
    kvLoadFailurePolicy: options.kvTransfer?.kvLoadFailurePolicy ?? "fail",
  });
}

function startRankPdAgent(
  options: EnginePoolOptions,
  config: KvTransferConfig,
  rank: number,
): Promise<PdAgent> {
  const { args, capacity, logger } = options;
  return startPdAgent({
    config,
    sideChannelHost: args.env.sideChannelHost,
    sideChannelPort: args.env.sideChannelPort + rank,
    tpSize: args.tensorParallelSize,
    kvBytesPerToken: capacity.profile.kvBytesPerToken,
    transferSetupMs: capacity.profile.kvTransferSetupMs,
    transferGBps: capacity.profile.kvTransferGBps,
    timeScale: args.sim.timeScale,
    dataParallelRank: rank,
    dataParallelSize: args.dataParallelSize,
    onError: (error) => logger.warn({ err: error, engine: rank }, "P/D side channel problem"),
  });
}

/** vLLM's `_get_data_parallel_rank`: the header names a rank; else the least-loaded engine. */
function pickEngine(
  handles: readonly RankHandle[],
  pinned: string | undefined,
  firstRank: number,
): RankHandle {
  if (pinned !== undefined) {
    const rank = Number(pinned);
    const handle = Number.isInteger(rank) ? handles[rank - firstRank] : undefined;
    if (handle === undefined) {
      throw badRequest(`X-data-parallel-rank ${pinned} is not a data-parallel rank of this server`);
    }
    return handle;
  }
  let best = handles[0] as RankHandle;
  for (const handle of handles) if (handle.inFlight < best.inFlight) best = handle;
  return best;
}

/** Publishes one step's events; with --sim-kv-events-gap-every N, every Nth batch skips PUB (fault injection). */
function eventPublishing(
  publisher: KvEventPublisher | null,
  gapEvery: number | null,
): (events: readonly KvEvent[]) => void {
  let batches = 0;
  return function publishEvents(events) {
    if (publisher === null || events.length === 0) return;
    batches++;
    if (gapEvery !== null && batches % gapEvery === 0) publisher.dropNext(1);
    publisher.publish(events, Date.now() / 1000);
  };
}
