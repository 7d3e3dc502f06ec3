// The zod schema of `llmux sim`'s flags, keyed by flag name so every issue path names its flag.
// Defaults are vLLM's (VLLM-MAIN arg_utils.py / cli_args.py) or, for --sim-*, the sim's.
import { z } from "zod";
import type { RawFlagValue } from "./cli-argv.ts";

export type SimArgsInput = Readonly<Record<string, RawFlagValue | undefined>>;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .trim()
    .regex(INTEGER, { error: "expected a whole number" })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected >= ${min}` })
        .max(max, { error: `expected <= ${max}` }),
    );
}

function decimal(min: number, max = Number.MAX_VALUE, isMinExclusive = false) {
  const base = z.number();
  const bounded = isMinExclusive
    ? base.gt(min, { error: `expected > ${min}` })
    : base.min(min, { error: `expected >= ${min}` });
  return z
    .string()
    .trim()
    .regex(DECIMAL, { error: "expected a number" })
    .transform(Number)
    .pipe(bounded.max(max, { error: `expected <= ${max}` }));
}

/** vLLM's `human_readable_int` for --max-model-len: 32k = 32000, 32K = 32768. */
const humanInt = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?[kKmMgG]?$/, { error: "expected a whole number, optionally with k/K/m/M/g/G" })
  .transform(function toInt(text): number {
    const suffix = /[kKmMgG]$/.exec(text)?.[0];
    if (suffix === undefined) return Number(text);
    const power = "kmg".indexOf(suffix.toLowerCase()) + 1;
    const base = suffix === suffix.toLowerCase() ? 1000 : 1024;
    return Math.trunc(Number(text.slice(0, -1)) * base ** power);
  })
  .pipe(z.number().int({ error: "expected a whole number" }).min(1, { error: "expected >= 1" }));

const flagBool = (fallback: boolean) => z.boolean().default(fallback);

const loraModule = z.string().transform(function parseLora(text, ctx) {
  if (text.trimStart().startsWith("{")) {
    const parsed = LoraJson.safeParse(safeJson(text));
    if (parsed.success) {
      const { name, path, base_model_name } = parsed.data;
      return { name, path, baseModelName: base_model_name ?? null };
    }
    ctx.addIssue({ code: "custom", message: `expected {"name","path","base_model_name"?}, got ${text}` });
    return z.NEVER;
  }
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) {
    ctx.addIssue({ code: "custom", message: `expected name=path or JSON, got "${text}"` });
    return z.NEVER;
  }
  return { name: text.slice(0, eq), path: text.slice(eq + 1), baseModelName: null };
});

const LoraJson = z.object({
  name: z.string().min(1),
  path: z.string().min(1),
  base_model_name: z.string().min(1).nullish(),
});

const errorRate = z.string().transform(function parseErrorRate(text, ctx) {
  const match = /^(\d*\.?\d+)(?::(\d{3}))?$/.exec(text.trim());
  const fraction = Number(match?.[1]);
  const status = match?.[2] === undefined ? 500 : Number(match[2]);
  if (match === null || fraction > 1 || status < 100 || status > 599) {
    ctx.addIssue({
      code: "custom",
      message: "expected FRACTION[:STATUS] with FRACTION in [0,1], e.g. 0.1:503",
    });
    return z.NEVER;
  }
  return { fraction, status };
});

export const SimArgsSchema = z.object({
  model: z.string().min(1),
  host: z.string().min(1).optional(),
  port: wholeNumber(0, 65535).default(8000),
  "served-model-name": z.array(z.string().min(1)).min(1).optional(),
  tokenizer: z.string().min(1).optional(),
  "block-size": wholeNumber(1, 1024).default(16),
  "max-model-len": humanInt.optional(),
  "max-num-seqs": wholeNumber(1).optional(),
  "max-num-batched-tokens": wholeNumber(1).optional(),
  "gpu-memory-utilization": decimal(0, 1, true).default(0.92),
  "enable-prefix-caching": flagBool(true),
  "prefix-caching-hash-algo": z
    .enum(["sha256", "sha256_cbor", "xxhash", "xxhash_cbor"], {
      error: "expected sha256 | sha256_cbor | xxhash | xxhash_cbor",
    })
    .default("sha256"),
  "kv-events-config": z.string().optional(),
  "kv-transfer-config": z.string().optional(),
  "kv-offloading-size": decimal(0).optional(),
  "kv-offloading-backend": z.enum(["native", "lmcache"]).default("native"),
  "enable-lora": flagBool(false),
  "lora-modules": z.array(loraModule).default([]),
  "max-loras": wholeNumber(1).default(1),
  "api-key": z.array(z.string().min(1)).optional(),
  "enable-prompt-tokens-details": flagBool(false),
  "enable-force-include-usage": flagBool(false),
  "enable-server-load-tracking": flagBool(false),
  "enable-request-id-headers": flagBool(false),
  "enable-sleep-mode": flagBool(false),
  "scheduling-policy": z.enum(["fcfs", "priority"], { error: "expected fcfs | priority" }).default("fcfs"),
  "data-parallel-size": wholeNumber(1, 64).default(1),
  "data-parallel-rank": wholeNumber(0).default(0),
  "tensor-parallel-size": wholeNumber(1, 64).default(1),
  "kv-cache-dtype": z.string().min(1).default("auto"),
  "shutdown-timeout": decimal(0).default(0),
  "sim-profile": z.string().min(1).default("h100-llama3-8b"),
  "sim-kv-blocks": wholeNumber(1).optional(),
  "sim-seed": wholeNumber(0).default(0),
  "sim-time-scale": decimal(0, 1_000_000, true).default(1),
  "sim-kv-events-layout": z.enum(["array", "map"], { error: "expected array | map" }).default("map"),
  "sim-startup-delay": decimal(0).optional(),
  "sim-fail-after": wholeNumber(0).optional(),
  "sim-crash-after": decimal(0, Number.MAX_VALUE, true).optional(),
  "sim-error-rate": errorRate.optional(),
  "sim-stall": wholeNumber(0).optional(),
  "sim-kv-events-gap-every": wholeNumber(2).optional(),
  "log-level": z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).optional(),
  "log-format": z.enum(["json", "pretty"]).optional(),
  "llmux-config": z.string().min(1).optional(),
  set: z.array(z.string()).optional(),
  help: flagBool(false),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
