// The tokenizer each served model's prompts are keyed with, as its engines tokenize them: the model
// directory's tokenizer.json and chat template (plus a worker thread for long prompts), the builtin
// tokenizer a sim uses when it has no tokenizer files, or none (the engine's render route is then used).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  createBuiltinTokenizer,
  createRequestKeysWorker,
  loadTokenizer,
  type PrefixHashAlgo,
  type PromptTokenizer,
  type RequestKeysWorker,
} from "../kvcache/index.ts";
import type { Plan } from "../supervisor/index.ts";
import { Counter, type Logger, type MetricsRegistry } from "../telemetry/index.ts";

/** Each worker holds its own copy of a tokenizer (tens to hundreds of MB for large vocabularies). */
const MAX_WORKERS = 2;
/** Long prompts queued on one worker; beyond it a request is routed without keys instead of waiting. */
const MAX_PENDING_PER_WORKER = 8;

export interface ModelTokenizer {
  /** Null while the files load, or when they failed to. */
  tokenizer: PromptTokenizer | null;
  worker: RequestKeysWorker | null;
  /**
   * The builtin tokenizer encodes a 2 MB chat prompt in ~25 ms; an HF tokenizer takes ~200 ms for
   * 128k tokens, too long to block the gateway's event loop without a worker.
   */
  readonly canTokenizeLongInline: boolean;
}

export interface ModelTokenizers {
  /** The served model's tokenizer; undefined when llmux knows none (the engine renders instead). */
  of(model: string): ModelTokenizer | undefined;
  stop(): void;
}

export interface ModelTokenizersOptions {
  readonly plan: Plan | null;
  readonly algo: PrefixHashAlgo;
  readonly pythonHashSeed: string;
  readonly logger: Logger;
  readonly registry: MetricsRegistry;
}

/** Resolves every planned model's tokenizer; files load in the background (requests render meanwhile). */
export function startModelTokenizers(options: ModelTokenizersOptions): ModelTokenizers {
  const byModel = new Map<string, ModelTokenizer>();
  const byDir = new Map<string, ModelTokenizer>();
  const workers: RequestKeysWorker[] = [];
  let workerSlots = 0;
  let isStopped = false;
  const failures = new Counter({
    name: "llmux_kvcache_tokenizer_load_failures_total",
    help: "Model tokenizers or request-keys workers that failed to load (their prompts are rendered by an engine).",
    labelNames: ["stage"] as const,
    registers: [options.registry],
  });

  async function load(dir: string, model: ModelTokenizer): Promise<void> {
    try {
      model.tokenizer = await loadTokenizer(dir);
    } catch (error) {
      failures.inc({ stage: "tokenizer" });
      options.logger.error({ err: error, tokenizer: dir }, "prefix keys: cannot load the tokenizer");
      return;
    }
    if (workerSlots >= MAX_WORKERS || isStopped) return;
    workerSlots++;
    try {
      const worker = await createRequestKeysWorker({
        modelDir: dir,
        algo: options.algo,
        pythonHashSeed: options.pythonHashSeed,
      });
      if (isStopped) return worker.terminate();
      model.worker = boundedWorker(worker);
      workers.push(model.worker);
    } catch (error) {
      failures.inc({ stage: "worker" });
      options.logger.error(
        { err: error, tokenizer: dir },
        "prefix keys: no worker, an engine renders long prompts",
      );
    }
  }

  for (const source of plannedSources(options.plan)) {
    let model: ModelTokenizer | undefined;
    if (source.dir === null)
      model = { tokenizer: createBuiltinTokenizer(), worker: null, canTokenizeLongInline: true };
    else {
      model = byDir.get(source.dir);
      if (model === undefined) {
        model = { tokenizer: null, worker: null, canTokenizeLongInline: false };
        byDir.set(source.dir, model);
        void load(source.dir, model);
      }
    }
    for (const name of source.servedNames) if (!byModel.has(name)) byModel.set(name, model);
  }
  return {
    of: (model) => byModel.get(model),
    stop() {
      isStopped = true;
      for (const worker of workers) worker.terminate();
    },
  };
}

interface PlannedSource {
  readonly servedNames: readonly string[];
  /** Directory with tokenizer.json; null for the builtin tokenizer. */
  readonly dir: string | null;
}

/**
 * What each planned engine tokenizes with, decided as the engines decide it: `--tokenizer`, else the
 * model directory when it holds tokenizer.json; a sim without files uses the builtin tokenizer
 * (sim/runtime.ts), a vLLM engine with a hub id downloads its own (unknown here, so it renders).
 */
function plannedSources(plan: Plan | null): PlannedSource[] {
  const sources: PlannedSource[] = [];
  for (const instance of plan?.instances ?? []) {
    const args = [...(instance.engine === "sim" ? (plan?.simArgs ?? []) : []), ...instance.spec.extra_args];
    const dir = flagValue(args, "--tokenizer") ?? instance.model;
    if (hasTokenizerFiles(dir)) sources.push({ servedNames: instance.servedModelNames, dir });
    else if (instance.engine === "sim") sources.push({ servedNames: instance.servedModelNames, dir: null });
  }
  return sources;
}

/** The last value of `flag` (argparse keeps the last), as `--flag value` or `--flag=value`. */
function flagValue(args: readonly string[], flag: string): string | null {
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === flag && i + 1 < args.length) value = args[++i]!;
    else if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
  }
  return value;
}

function hasTokenizerFiles(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory() && existsSync(join(dir, "tokenizer.json"));
}

/** A worker that refuses work past its queue bound, so a slow or dead worker cannot pile requests up. */
function boundedWorker(worker: RequestKeysWorker): RequestKeysWorker {
  let pending = 0;
  return {
    compute(prompt, blockSize, context) {
      if (pending >= MAX_PENDING_PER_WORKER) return Promise.reject(new Error("request-keys worker busy"));
      pending++;
      return worker.compute(prompt, blockSize, context).finally(() => pending--);
    },
    terminate: () => worker.terminate(),
  };
}
