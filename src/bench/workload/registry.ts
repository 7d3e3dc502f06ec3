// Every built-in workload by name: its parameter schema (zod, strict, with defaults), default ladder
// and builder. `buildWorkload` validates raw `key=value` parameters once and reports every problem.
import type { z } from "zod";
import { BenchError } from "../errors.ts";
import type { Workload } from "../types.ts";
import type { AssembleInput } from "./assemble.ts";
import * as longDocumentQa from "./long-document-qa.ts";
import * as mixedTenants from "./mixed-tenants.ts";
import * as mooncake from "./mooncake.ts";
import * as multiTurnChat from "./multi-turn-chat.ts";
import * as randomLengths from "./random-lengths.ts";
import * as sharedPrefix from "./shared-prefix.ts";
import { type ArrivalProcess, type StageSpec, toStages } from "./stages.ts";

interface WorkloadEntry {
  readonly description: string;
  readonly params: z.ZodObject;
  /** null for trace replays: the trace times the arrivals. */
  readonly defaultStages: readonly StageSpec[] | null;
  build(params: Record<string, unknown>, input: AssembleInput, traceText: string | null): Workload;
}

const PREFILL_HEAVY = randomLengths.paramsWithDefaults(4000, 400);
const DECODE_HEAVY = randomLengths.paramsWithDefaults(300, 1500);

const WORKLOADS: Readonly<Record<string, WorkloadEntry>> = {
  [sharedPrefix.NAME]: {
    description: sharedPrefix.DESCRIPTION,
    params: sharedPrefix.Params,
    defaultStages: sharedPrefix.DEFAULT_STAGES,
    build: (params, input) => sharedPrefix.build(params as sharedPrefix.Params, input),
  },
  [multiTurnChat.NAME]: {
    description: multiTurnChat.DESCRIPTION,
    params: multiTurnChat.Params,
    defaultStages: multiTurnChat.DEFAULT_STAGES,
    build: (params, input) => multiTurnChat.build(params as multiTurnChat.Params, input),
  },
  [longDocumentQa.NAME]: {
    description: longDocumentQa.DESCRIPTION,
    params: longDocumentQa.Params,
    defaultStages: longDocumentQa.DEFAULT_STAGES,
    build: (params, input) => longDocumentQa.build(params as longDocumentQa.Params, input),
  },
  "prefill-heavy": {
    description: "unshared random prompts, about 10:1 input:output",
    params: PREFILL_HEAVY,
    defaultStages: randomLengths.DEFAULT_STAGES,
    build: (params, input) => randomLengths.build(params as z.infer<typeof PREFILL_HEAVY>, input),
  },
  "decode-heavy": {
    description: "unshared short prompts, long outputs",
    params: DECODE_HEAVY,
    defaultStages: randomLengths.DEFAULT_STAGES,
    build: (params, input) => randomLengths.build(params as z.infer<typeof DECODE_HEAVY>, input),
  },
  [mixedTenants.NAME]: {
    description: mixedTenants.DESCRIPTION,
    params: mixedTenants.Params,
    defaultStages: mixedTenants.DEFAULT_STAGES,
    build: (params, input) => mixedTenants.build(params as mixedTenants.Params, input),
  },
  [mooncake.NAME]: {
    description: mooncake.DESCRIPTION,
    params: mooncake.Params,
    defaultStages: null,
    build: (params, input, traceText) => {
      if (traceText === null)
        throw new BenchError("bench_invalid_options", "the mooncake workload needs --trace FILE");
      return mooncake.build(params as mooncake.Params, mooncake.parseMooncakeTrace(traceText), input.seed);
    },
  },
};

export interface WorkloadSpec {
  readonly name: string;
  /** Raw parameters (strings from the command line, or typed values). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The load ladder; the workload's default when absent. Ignored by trace replays. */
  readonly stages?: readonly StageSpec[];
  readonly arrival: ArrivalProcess;
  readonly seed: number;
  /** Contents of the trace file, for trace workloads. */
  readonly traceText?: string | null;
}

/** Names of every workload. */
export function workloadNames(): string[] {
  return Object.keys(WORKLOADS);
}

/** The workload's default ladder; null for trace replays (the trace times arrivals) or unknown names. */
export function defaultStagesOf(name: string): readonly StageSpec[] | null {
  return Object.hasOwn(WORKLOADS, name) ? (WORKLOADS[name]?.defaultStages ?? null) : null;
}

/** Builds a workload; throws BenchError for an unknown name or invalid parameters (all listed). */
export function buildWorkload(spec: WorkloadSpec): Workload {
  const entry = Object.hasOwn(WORKLOADS, spec.name) ? WORKLOADS[spec.name] : undefined;
  if (entry === undefined) {
    throw new BenchError("bench_unknown_workload", `"${spec.name}" (known: ${workloadNames().join(", ")})`);
  }
  const parsed = entry.params.safeParse(spec.params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`);
    throw new BenchError("bench_invalid_workload_params", `${spec.name}: ${problems.join("; ")}`);
  }
  const stages = toStages(spec.stages ?? entry.defaultStages ?? []);
  const input: AssembleInput = {
    name: spec.name,
    params: parsed.data,
    seed: spec.seed,
    stages,
    arrival: spec.arrival,
  };
  return entry.build(parsed.data as Record<string, unknown>, input, spec.traceText ?? null);
}

/** Help text: each workload, its description, parameters with defaults, and default ladder. */
export function workloadsHelp(): string {
  const lines: string[] = [];
  for (const [name, entry] of Object.entries(WORKLOADS)) {
    lines.push(`  ${name}: ${entry.description}`);
    const defaults = entry.params.parse({}) as Record<string, unknown>;
    for (const [key, schema] of Object.entries(entry.params.shape)) {
      const description = (schema as z.ZodType).description ?? "";
      lines.push(`      ${`${key}=${String(defaults[key])}`.padEnd(28)} ${description}`);
    }
    if (entry.defaultStages !== null) lines.push(`      ladder: ${formatStages(entry.defaultStages)}`);
  }
  return lines.join("\n");
}

/** "rate:durationS" pairs, warm-up stages marked with a "w" prefix. */
export function formatStages(stages: readonly StageSpec[]): string {
  return stages.map((s) => `${s.isWarmup === true ? "w" : ""}${s.qps}:${s.durationS}`).join(",");
}
