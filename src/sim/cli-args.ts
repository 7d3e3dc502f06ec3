// `llmux sim` command line: vLLM's `vllm serve` flags and env with vLLM's defaults, plus --sim-*,
// validated once with zod into a frozen SimArgs. Errors name the offending flag.
import { readFileSync } from "node:fs";
import type { z } from "zod";
import type { PrefixHashAlgo } from "../kvcache/index.ts";
import { type RawArgs, type RawFlagValue, SimArgsError, splitArgv } from "./cli-argv.ts";
import { readSimEnv, type SimEnv } from "./cli-env.ts";
import { type SimArgsInput, SimArgsSchema } from "./cli-schema.ts";

export { SimArgsError } from "./cli-argv.ts";
export type { SimEnv } from "./cli-env.ts";

export interface LoraModule {
  readonly name: string;
  readonly path: string;
  readonly baseModelName: string | null;
}

/** Everything `llmux sim` was told, validated; `null` means "not given, use the profile's value". */
export interface SimArgs {
  readonly model: string;
  readonly servedModelNames: readonly string[];
  readonly tokenizer: string | null;
  /** null: all interfaces, vLLM's default (llmux's supervisor always passes --host 127.0.0.1). */
  readonly host: string | null;
  readonly port: number;
  readonly blockSize: number;
  readonly maxModelLen: number | null;
  readonly maxNumSeqs: number | null;
  readonly maxNumBatchedTokens: number | null;
  readonly gpuMemoryUtilization: number;
  readonly enablePrefixCaching: boolean;
  /** What --prefix-caching-hash-algo asked for (vLLM's spelling). */
  readonly requestedHashAlgo: string;
  /** What the sim computes: pickle-based algos run as their CBOR twin. */
  readonly prefixCachingHashAlgo: PrefixHashAlgo;
  readonly kvEventsConfigJson: string | undefined;
  readonly kvEventsConfigDotted: readonly (readonly [string, string])[];
  readonly kvTransferConfigJson: string | undefined;
  readonly kvTransferConfigDotted: readonly (readonly [string, string])[];
  readonly kvOffloadingSizeGiB: number | null;
  readonly enableLora: boolean;
  readonly loraModules: readonly LoraModule[];
  readonly maxLoras: number;
  readonly apiKeys: readonly string[];
  readonly enablePromptTokensDetails: boolean;
  readonly enableForceIncludeUsage: boolean;
  readonly enableServerLoadTracking: boolean;
  readonly enableRequestIdHeaders: boolean;
  readonly enableSleepMode: boolean;
  readonly schedulingPolicy: "fcfs" | "priority";
  readonly dataParallelSize: number;
  readonly dataParallelRank: number;
  readonly tensorParallelSize: number;
  readonly kvCacheDtype: string;
  readonly shutdownTimeoutS: number;
  readonly sim: SimOnlyArgs;
  readonly env: SimEnv;
  readonly logLevel: string | undefined;
  readonly logFormat: "json" | "pretty" | undefined;
  readonly llmuxConfig: string | undefined;
  readonly llmuxSets: readonly string[];
  readonly help: boolean;
  /** Non-fatal notes for the startup log (unknown flags, algo mapping). */
  readonly warnings: readonly string[];
}

export interface SimOnlyArgs {
  readonly profile: string;
  readonly kvBlocks: number | null;
  readonly seed: number;
  readonly timeScale: number;
  readonly kvEventsLayout: "array" | "map";
  /** Real seconds before the port listens; null: the profile's delay divided by the time scale. */
  readonly startupDelayS: number | null;
  readonly failAfterRequests: number | null;
  readonly crashAfterS: number | null;
  readonly errorRate: { readonly fraction: number; readonly status: number } | null;
  readonly stallAfterTokens: number | null;
  /** Every Nth KV-event batch is not sent on PUB (kept for replay); null = none. */
  readonly kvEventsGapEvery: number | null;
}

export interface ParseSimArgsOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads the file of `--config` (vLLM's YAML of flags). */
  readonly readFile?: (path: string) => string;
}

/** Parses a `vllm serve`-style command line. Throws SimArgsError naming the flag on any mistake. */
export function parseSimArgs(argv: readonly string[], options: ParseSimArgsOptions = {}): SimArgs {
  const env = options.env ?? process.env;
  const cli = splitArgv(argv);
  const raw = mergeConfigFile(cli, options.readFile ?? ((path) => readFileSync(path, "utf8")));
  const model = readModel(raw);
  const input = toSchemaInput(raw, model, env);
  const parsed = SimArgsSchema.safeParse(input);
  if (!parsed.success) throw new SimArgsError(formatIssues(parsed.error, input));
  return Object.freeze(toSimArgs(parsed.data, raw, readSimEnv(env)));
}

function readModel(raw: RawArgs): string {
  const [positional, ...extra] = raw.positionals;
  if (extra.length > 0) throw new SimArgsError(`unexpected argument '${extra[0]}'`);
  const flag = raw.values.get("model");
  const model = typeof flag === "string" ? flag : positional;
  // --help needs no model; a placeholder keeps the rest of the validation uniform.
  if (raw.values.get("help") === true) return model ?? "(none)";
  if (model === undefined || model === "")
    throw new SimArgsError("a model is required (positional or --model)");
  return model;
}

function toSchemaInput(
  raw: RawArgs,
  model: string,
  env: Readonly<Record<string, string | undefined>>,
): SimArgsInput {
  const input: Record<string, RawFlagValue | undefined> = Object.fromEntries(raw.values);
  input.model = model;
  if (input["api-key"] === undefined && env.VLLM_API_KEY) input["api-key"] = [env.VLLM_API_KEY];
  if (input["sim-seed"] === undefined && input.seed !== undefined) input["sim-seed"] = input.seed;
  return input as SimArgsInput;
}

function toSimArgs(
  p: z.output<typeof SimArgsSchema>,
  raw: RawArgs,
  env: SimEnv,
): SimArgs & { warnings: string[] } {
  const warnings = [...raw.warnings];
  const algo = mapHashAlgo(
    p["prefix-caching-hash-algo"],
    raw.values.has("prefix-caching-hash-algo"),
    warnings,
  );
  if (p["enable-lora"] === false && p["lora-modules"].length > 0) {
    throw new SimArgsError("--lora-modules: needs --enable-lora");
  }
  return {
    model: p.model,
    servedModelNames: p["served-model-name"] ?? [p.model],
    tokenizer: p.tokenizer ?? null,
    host: p.host ?? null,
    port: p.port,
    blockSize: p["block-size"],
    maxModelLen: p["max-model-len"] ?? null,
    maxNumSeqs: p["max-num-seqs"] ?? null,
    maxNumBatchedTokens: p["max-num-batched-tokens"] ?? null,
    gpuMemoryUtilization: p["gpu-memory-utilization"],
    enablePrefixCaching: p["enable-prefix-caching"],
    requestedHashAlgo: p["prefix-caching-hash-algo"],
    prefixCachingHashAlgo: algo,
    kvEventsConfigJson: p["kv-events-config"],
    kvEventsConfigDotted: raw.dotted.get("kv-events-config") ?? [],
    kvTransferConfigJson: p["kv-transfer-config"],
    kvTransferConfigDotted: raw.dotted.get("kv-transfer-config") ?? [],
    kvOffloadingSizeGiB: p["kv-offloading-size"] ?? null,
    enableLora: p["enable-lora"],
    loraModules: p["lora-modules"],
    maxLoras: p["max-loras"],
    apiKeys: p["api-key"] ?? [],
    enablePromptTokensDetails: p["enable-prompt-tokens-details"],
    enableForceIncludeUsage: p["enable-force-include-usage"],
    enableServerLoadTracking: p["enable-server-load-tracking"],
    enableRequestIdHeaders: p["enable-request-id-headers"],
    enableSleepMode: p["enable-sleep-mode"],
    schedulingPolicy: p["scheduling-policy"],
    dataParallelSize: p["data-parallel-size"],
    dataParallelRank: p["data-parallel-rank"],
    tensorParallelSize: p["tensor-parallel-size"],
    kvCacheDtype: p["kv-cache-dtype"],
    shutdownTimeoutS: p["shutdown-timeout"],
    sim: {
      profile: p["sim-profile"],
      kvBlocks: p["sim-kv-blocks"] ?? null,
      seed: p["sim-seed"],
      timeScale: p["sim-time-scale"],
      kvEventsLayout: p["sim-kv-events-layout"],
      startupDelayS: p["sim-startup-delay"] ?? null,
      failAfterRequests: p["sim-fail-after"] ?? null,
      crashAfterS: p["sim-crash-after"] ?? null,
      errorRate: p["sim-error-rate"] ?? null,
      stallAfterTokens: p["sim-stall"] ?? null,
      kvEventsGapEvery: p["sim-kv-events-gap-every"] ?? null,
    },
    env,
    logLevel: p["log-level"],
    logFormat: p["log-format"],
    llmuxConfig: p["llmux-config"],
    llmuxSets: p.set ?? [],
    help: p.help,
    warnings,
  };
}

/** vLLM's sha256/xxhash pickle their input, which cannot be reproduced outside Python (§2.1). */
function mapHashAlgo(requested: string, isExplicit: boolean, warnings: string[]): PrefixHashAlgo {
  if (requested === "sha256_cbor" || requested === "xxhash_cbor") return requested;
  const mapped = requested === "xxhash" ? "xxhash_cbor" : "sha256_cbor";
  if (isExplicit) {
    warnings.push(`--prefix-caching-hash-algo ${requested} pickles in vLLM; the sim hashes with ${mapped}`);
  }
  return mapped;
}

/** vLLM's `--config file.yaml`: its keys are flags; flags on the command line win. */
function mergeConfigFile(cli: RawArgs, readFile: (path: string) => string): RawArgs {
  const path = cli.values.get("config");
  if (typeof path !== "string") return cli;
  let data: unknown;
  try {
    data = Bun.YAML.parse(readFile(path));
  } catch (cause) {
    throw new SimArgsError(`--config: cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new SimArgsError(`--config: ${path} must hold a mapping of flag names to values`);
  }
  const argv: string[] = [];
  for (const [key, value] of Object.entries(data)) argv.push(...configEntryToArgv(key, value));
  const file = splitArgv(argv);
  const values = new Map([...file.values, ...cli.values]);
  const dotted = new Map([...file.dotted, ...cli.dotted]);
  return { values, dotted, positionals: cli.positionals, warnings: [...file.warnings, ...cli.warnings] };
}

function configEntryToArgv(key: string, value: unknown): string[] {
  const flag = `--${key}`;
  if (value === true) return [flag];
  if (value === false) return [`--no-${key}`];
  if (Array.isArray(value)) return [flag, ...value.map((item) => toArgText(item))];
  return [flag, toArgText(value)];
}

function toArgText(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function formatIssues(error: z.ZodError, input: SimArgsInput): string {
  return error.issues
    .map(function describe(issue): string {
      const flag = String(issue.path[0] ?? "");
      const got = (input as Record<string, unknown>)[flag];
      const shown = Array.isArray(got) ? got.join(" ") : String(got);
      return `--${flag}: ${issue.message}${got === undefined ? "" : ` (got "${shown}")`}`;
    })
    .join("; ");
}
