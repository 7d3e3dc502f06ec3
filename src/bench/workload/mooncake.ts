// Mooncake-format trace replay: JSONL lines {timestamp (ms), input_length, output_length, hash_ids},
// each hash id naming a 512-token block. Block k of a prompt holds the tokens of its hash id, so two
// prompts share exactly the blocks whose ids they share (a trailing partial block is a prefix of its id's).
import { z } from "zod";
import { BenchError } from "../errors.ts";
import type { Stage, Workload, WorkloadRequest } from "../types.ts";
import { appendTokens } from "./token-ids.ts";

export const NAME = "mooncake";
export const DESCRIPTION = "replay of a Mooncake-format JSONL trace (--trace FILE)";

export const Params = z.strictObject({
  blockTokens: z.coerce.number().int().min(1).default(512).describe("tokens per hash id"),
  speeds: z
    .string()
    .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, "a comma-separated list of positive numbers")
    .default("1")
    .describe("replay speed-ups, one stage each (2 = twice the trace's rate)"),
  maxDurationS: z.coerce.number().min(0).default(0).describe("replay only the first S seconds (0 = all)"),
  maxRequests: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("replay only the first N requests (0 = all)"),
  maxPromptTokens: z.coerce.number().int().min(0).default(0).describe("drop longer prompts (0 = keep all)"),
});
export type Params = z.infer<typeof Params>;

const EntrySchema = z.looseObject({
  timestamp: z.number().min(0),
  input_length: z.number().int().min(1),
  output_length: z.number().int().min(0),
  hash_ids: z.array(z.number().int()),
});

export interface MooncakeEntry {
  readonly timestampMs: number;
  readonly inputLength: number;
  readonly outputLength: number;
  readonly hashIds: readonly number[];
}

/** Parses JSONL; throws BenchError naming every bad line (up to 10). */
export function parseMooncakeTrace(text: string): MooncakeEntry[] {
  const entries: MooncakeEntry[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      problems.push(`line ${i + 1}: not JSON (${(error as Error).message})`);
      return;
    }
    const parsed = EntrySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problems.push(`line ${i + 1}: ${issue?.path.join(".") || "entry"}: ${issue?.message ?? "invalid"}`);
      return;
    }
    const { timestamp, input_length, output_length, hash_ids } = parsed.data;
    entries.push({
      timestampMs: timestamp,
      inputLength: input_length,
      outputLength: output_length,
      hashIds: hash_ids,
    });
  });
  if (problems.length > 0) throw new BenchError("bench_invalid_trace", problems.slice(0, 10).join("; "));
  if (entries.length === 0) throw new BenchError("bench_invalid_trace", "no entries");
  return entries;
}

/** The prompt of one entry: its hash ids' blocks, then request-unique blocks if the ids run short. */
export function mooncakePrompt(
  entry: MooncakeEntry,
  blockTokens: number,
  seed: number,
  index: number,
): number[] {
  const tokens: number[] = [];
  const blocks = Math.ceil(entry.inputLength / blockTokens);
  for (let b = 0; b < blocks; b++) {
    const length = Math.min(blockTokens, entry.inputLength - b * blockTokens);
    const id = entry.hashIds[b];
    appendTokens(tokens, seed, id === undefined ? `mooncake:own:${index}:${b}` : `mooncake:${id}`, length);
  }
  return tokens;
}

export function build(params: Params, entries: readonly MooncakeEntry[], seed: number): Workload {
  const sorted = [...entries].sort((a, b) => a.timestampMs - b.timestampMs);
  const startMs = sorted[0]?.timestampMs ?? 0;
  const kept = sorted.filter(
    (e, i) =>
      (params.maxRequests === 0 || i < params.maxRequests) &&
      (params.maxDurationS === 0 || e.timestampMs - startMs < params.maxDurationS * 1000) &&
      (params.maxPromptTokens === 0 || e.inputLength <= params.maxPromptTokens),
  );
  if (kept.length === 0)
    throw new BenchError("bench_invalid_workload_params", "the filters leave no trace entries");
  const spanMs = Math.max(1, (kept.at(-1)?.timestampMs ?? startMs) - startMs);
  const speeds = params.speeds.split(",").map(Number);
  if (speeds.some((s) => !(s > 0)))
    throw new BenchError("bench_invalid_workload_params", "speeds must be > 0");
  const stages: Stage[] = speeds.map((speed, index) => ({
    index,
    qps: (kept.length * 1000 * speed) / spanMs,
    durationMs: spanMs / speed,
    isWarmup: false,
  }));
  const requests: WorkloadRequest[] = [];
  for (const stage of stages) {
    const speed = speeds[stage.index]!;
    kept.forEach((entry, i) => {
      requests.push({
        index: requests.length,
        stage: stage.index,
        offsetMs: (entry.timestampMs - startMs) / speed,
        promptTokens: entry.inputLength,
        maxTokens: Math.max(1, entry.outputLength),
        tags: {},
        promptTokenIds: () => mooncakePrompt(entry, params.blockTokens, seed, i),
      });
    });
  }
  return { name: NAME, params, seed, stages, requests };
}
