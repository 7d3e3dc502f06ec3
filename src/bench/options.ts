// `llmux bench` flags as one zod schema (the CLI boundary): types, ranges and cross-flag rules,
// every problem reported at once; plus the QPS-ladder syntax ("1,2,4" or "3:20,10:20").
import { z } from "zod";
import { POLICY_NAMES } from "./policies.ts";
import type { StageSpec } from "./workload/stages.ts";

const positiveInt = (what: string) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number (${what})`)
    .transform(Number)
    .refine((n) => n >= 1, `must be at least 1 (${what})`);
const nonNegativeInt = (what: string) =>
  z.string().regex(/^\d+$/, `expected a whole number (${what})`).transform(Number);
const positiveNumber = (what: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `expected a number (${what})`)
    .transform(Number)
    .refine((n) => n > 0, `must be > 0 (${what})`);

const LADDER = /^\d+(\.\d+)?(:\d+(\.\d+)?)?(,\d+(\.\d+)?(:\d+(\.\d+)?)?)*$/;

export const BenchFlagsSchema = z.strictObject({
  simulate: z.boolean().default(false),
  url: z.array(z.string()).default([]),
  workload: z.string().min(1).default("shared-prefix"),
  param: z.array(z.string().regex(/^[A-Za-z][\w-]*=.*$/, "expected key=value")).default([]),
  trace: z.string().min(1).optional(),
  qps: z
    .string()
    .regex(LADDER, 'expected rates like "1,2,4" or rate:seconds pairs like "3:20,10:20"')
    .optional(),
  duration: positiveNumber("seconds per stage").optional(),
  warmup: z
    .string()
    .regex(/^(none|\d+(\.\d+)?:\d+(\.\d+)?)$/, 'expected rate:seconds (e.g. "15:50") or "none"')
    .optional(),
  arrival: z.enum(["poisson", "constant"]).default("poisson"),
  seed: nonNegativeInt("seed").default(1),
  "max-concurrency": nonNegativeInt("requests in flight; 0 = no cap").default(0),
  "no-drain": z.boolean().default(false),
  "slo-ttft-ms": positiveNumber("TTFT SLO in ms").default(2000),
  "slo-tpot-ms": positiveNumber("TPOT SLO in ms").default(100),
  out: z.string().min(1).optional(),
  api: z.enum(["completions", "chat"]).default("completions"),
  model: z.string().min(1).optional(),
  "api-key": z.string().min(1).optional(),
  timeout: positiveNumber("seconds per request").default(600),
  "no-ignore-eos": z.boolean().default(false),
  engines: positiveInt("engines").default(8),
  profile: z.string().min(1).default("h100-qwen3-32b-tp2"),
  "sim-args": z.string().default(""),
  policies: z.string().min(1).default(POLICY_NAMES.join(",")),
  "policy-config": z
    .array(z.string().regex(/^[a-z0-9][a-z0-9-]*=.+$/, "expected name=config.yaml"))
    .default([]),
  "scrape-interval-ms": positiveInt("ms").optional(),
  title: z.string().min(1).optional(),
  "gateway-overhead": z.boolean().default(false),
  requests: positiveInt("sequential requests per path").default(2000),
  concurrency: positiveInt("clients of the requests/s measurement").default(64),
  "stream-tokens": positiveInt("tokens per streaming response").default(32),
});

export type BenchFlags = z.infer<typeof BenchFlagsSchema>;

/** Validates raw flag values; returns every problem as "--flag: message", cross-flag rules included. */
export function parseBenchFlags(
  values: Readonly<Record<string, unknown>>,
): { ok: true; flags: BenchFlags } | { ok: false; problems: string[] } {
  const parsed = BenchFlagsSchema.safeParse(values);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const key = issue.path[0];
        const message =
          issue.code === "unrecognized_keys" ? `unknown flag(s) ${issue.keys.join(", ")}` : issue.message;
        return key === undefined ? message : `--${String(key)}: ${message}`;
      });
  const isSimulated = values.simulate === true;
  const hasUrl = Array.isArray(values.url) && values.url.length > 0;
  if (values["gateway-overhead"] === true) {
    if (isSimulated)
      problems.push("--gateway-overhead: --gateway-overhead and --simulate exclude each other");
    if (hasUrl) problems.push("--gateway-overhead: --gateway-overhead starts its own sim; drop --url");
    if (!parsed.success || problems.length > 0) return { ok: false, problems };
    return { ok: true, flags: parsed.data };
  }
  if (!isSimulated && !hasUrl)
    problems.push("--url: a real-time run needs --url (or use --simulate or --gateway-overhead)");
  if (isSimulated && hasUrl) problems.push("--url: --url and --simulate exclude each other");
  if (isSimulated && values.out === undefined)
    problems.push("--out: --simulate writes a report directory: give --out DIR");
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, flags: parsed.data };
}

/** Splits comma lists given once or repeated ("--url a,b --url c"). */
export function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/**
 * The ladder the flags ask for over the workload's default: --qps replaces the rungs, --duration
 * their lengths, --warmup the warm-up stage ("none" drops it). Undefined keeps the default as is.
 */
export function ladderFromFlags(flags: BenchFlags, defaults: readonly StageSpec[]): StageSpec[] | undefined {
  if (flags.qps === undefined && flags.warmup === undefined && flags.duration === undefined) return undefined;
  const durationS = flags.duration ?? 60;
  const rungs: StageSpec[] =
    flags.qps === undefined
      ? defaults
          .filter((s) => s.isWarmup !== true)
          .map((s) => ({ qps: s.qps, durationS: flags.duration ?? s.durationS }))
      : flags.qps.split(",").map((item) => {
          const [rate, seconds] = item.split(":");
          return { qps: Number(rate), durationS: seconds === undefined ? durationS : Number(seconds) };
        });
  let warmup: StageSpec[] = defaults.filter((s) => s.isWarmup === true);
  if (flags.warmup === "none") warmup = [];
  else if (flags.warmup !== undefined) {
    const [rate, seconds] = flags.warmup.split(":");
    warmup = [{ qps: Number(rate), durationS: Number(seconds), isWarmup: true }];
  }
  return [...warmup, ...rungs];
}

/** `key=value` pairs as an object (the workload's schema validates and coerces them). */
export function paramsFromFlags(flags: BenchFlags): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of flags.param) {
    const at = pair.indexOf("=");
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}
