// Builds a running sim from validated args: capacity, tokenizer, block hasher, the DP engines with
// their KV publishers and P/D side channels, and the hono app over them. No HTTP listener here.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Hono } from "hono";
import {
  createBlockHasher,
  createBuiltinTokenizer,
  loadTokenizer,
  type PromptTokenizer,
} from "../kvcache/index.ts";
import type { Logger } from "../telemetry/index.ts";
import { resolveCapacity, type SimCapacity } from "./capacity.ts";
import { type SimArgs, SimArgsError } from "./cli-args.ts";
import { type RunningEnginePool, startEnginePool } from "./engine-pool.ts";
import { createFaultInjector } from "./faults.ts";
import { parseKvEventsConfig } from "./kv-events-config.ts";
import { renderSimMetrics } from "./metrics.ts";
import { cacheConfigLabels } from "./metrics-labels.ts";
import { parseKvTransferConfig } from "./pd/kv-transfer-config.ts";
import { createSimApp } from "./server/app.ts";
import type { SimServerContext } from "./server/context.ts";
import { createModelRegistry } from "./server/models.ts";
import { createSleepControl } from "./sleep-control.ts";

export interface SimRuntimeOptions {
  readonly args: SimArgs;
  readonly logger: Logger;
  /** Use this tokenizer instead of loading one (tests). */
  readonly tokenizer?: PromptTokenizer;
}

export interface SimRuntime {
  readonly app: Hono;
  readonly context: SimServerContext;
  readonly capacity: SimCapacity;
  readonly pool: RunningEnginePool;
  /** Stops the engines and closes every socket the runtime opened. */
  close(): Promise<void>;
}

/** The version /version reports: the vLLM release whose KV-event layout the sim speaks. */
export function simVllmVersion(layout: "array" | "map"): string {
  return layout === "map" ? "0.26.0+llmux.sim" : "0.25.0+llmux.sim";
}

export async function createSimRuntime(options: SimRuntimeOptions): Promise<SimRuntime> {
  const { args, logger } = options;
  const capacity = resolveCapacity(args);
  const kvEvents = asArgsError(() => parseKvEventsConfig(args.kvEventsConfigJson, args.kvEventsConfigDotted));
  const kvTransfer = asArgsError(() =>
    parseKvTransferConfig(args.kvTransferConfigJson, args.kvTransferConfigDotted),
  );
  if (kvEvents.enableKvCacheEvents && !args.enablePrefixCaching) {
    logger.warn(
      "KV cache events are enabled but prefix caching is off: no GPU block events will be published",
    );
  }
  const tokenizer = options.tokenizer ?? (await loadSimTokenizer(args, logger));
  const hasher = await createBlockHasher(args.prefixCachingHashAlgo, args.env.pythonHashSeed);
  const pool = await startEnginePool({ args, capacity, hasher, tokenizer, kvEvents, kvTransfer, logger });
  const models = createModelRegistry({
    modelPath: args.model,
    servedNames: args.servedModelNames,
    loras: args.loraModules,
    maxModelLen: capacity.maxModelLen,
    newId: newUuidHex,
  });
  const sleep = createSleepControl();
  const labels = cacheConfigLabels(args, capacity);
  const context: SimServerContext = {
    args,
    tokenizer,
    models,
    pool,
    faults: createFaultInjector({
      failAfterRequests: args.sim.failAfterRequests,
      errorRate: args.sim.errorRate,
      stallAfterTokens: args.sim.stallAfterTokens,
      seed: args.sim.seed,
    }),
    sleep,
    logger,
    version: simVllmVersion(args.sim.kvEventsLayout),
    maxModelLen: capacity.maxModelLen,
    apiOverheadMs: capacity.profile.apiOverheadMs / args.sim.timeScale,
    metricsText: () =>
      renderSimMetrics({
        modelName: args.servedModelNames[0] ?? args.model,
        engines: pool.engines.map((handle) => ({
          rank: handle.rank,
          requests: handle.requests,
          stats: () => handle.engine.stats(),
          sleepState: () => sleep.state,
        })),
        cacheConfigLabels: labels,
        maxLoras: args.enableLora ? args.maxLoras : null,
        nowSeconds: () => Date.now() / 1000,
      }),
    nowSeconds: () => Date.now() / 1000,
    newId: newUuidHex,
    serverLoad: 0,
  };
  return { app: createSimApp(context), context, capacity, pool, close: () => pool.close() };
}

/** The model directory's tokenizer when it has one (--tokenizer first), else the builtin. */
async function loadSimTokenizer(args: SimArgs, logger: Logger): Promise<PromptTokenizer> {
  const dir = args.tokenizer ?? args.model;
  if (isDirectory(dir) && existsSync(join(dir, "tokenizer.json"))) {
    const started = performance.now();
    const tokenizer = await loadTokenizer(dir);
    logger.info({ tokenizer: dir, ms: Math.round(performance.now() - started) }, "tokenizer loaded");
    return tokenizer;
  }
  if (args.tokenizer !== null) {
    throw new SimArgsError(`--tokenizer: ${args.tokenizer} is not a directory with tokenizer.json`);
  }
  logger.info({ model: args.model }, "no tokenizer files for the model: using the builtin tokenizer");
  return createBuiltinTokenizer();
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function asArgsError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new SimArgsError((error as Error).message, { cause: error });
  }
}

function newUuidHex(): string {
  return crypto.randomUUID().replaceAll("-", "");
}
