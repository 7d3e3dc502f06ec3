import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError, buildWorkload, mooncakePrompt, parseMooncakeTrace } from "../../../src/bench/index.ts";
import { REPO_ROOT } from "../../helpers/cli-process.ts";

// The shared synthetic Mooncake trace (timestamp ms, input_length, output_length, 512-token hash_ids).
const TRACE_PATH = join(REPO_ROOT, "..", "shared", "data", "mooncake-synthetic-trace.jsonl");

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function sharedLeadingIds(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

describe("Mooncake trace replay", () => {
  test("prompts share exactly the leading blocks their hash_ids share", () => {
    const entries = parseMooncakeTrace(readFileSync(TRACE_PATH, "utf8")).slice(0, 400);
    const prompts = entries.map((e, i) => mooncakePrompt(e, 512, 9, i));
    let sharingPairs = 0;
    for (let i = 0; i < entries.length; i++) {
      expect(prompts[i]).toHaveLength(entries[i]!.inputLength);
      for (let j = i + 1; j < Math.min(entries.length, i + 40); j++) {
        const ids = sharedLeadingIds(entries[i]!.hashIds, entries[j]!.hashIds);
        const expected = Math.min(ids * 512, entries[i]!.inputLength, entries[j]!.inputLength);
        const actual = commonPrefix(prompts[i]!, prompts[j]!);
        // Equal ids give equal blocks; the first differing id gives a different block from its first token
        // (unless both are the same partial trailing block).
        expect(actual >= expected && actual < expected + 512).toBe(true);
        if (ids > 0) sharingPairs++;
      }
    }
    expect(sharingPairs).toBeGreaterThan(0);
  });

  test("a trailing partial block is the prefix of its id's block", () => {
    const full = mooncakePrompt(
      { timestampMs: 0, inputLength: 1024, outputLength: 1, hashIds: [7, 8] },
      512,
      1,
      0,
    );
    const partial = mooncakePrompt(
      { timestampMs: 0, inputLength: 700, outputLength: 1, hashIds: [7, 8] },
      512,
      1,
      1,
    );
    expect(commonPrefix(full, partial)).toBe(700);
  });

  test("replays trace timestamps (ms) per speed-up, one stage each", () => {
    const text = [
      '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, 2]}',
      '{"timestamp": 1000, "input_length": 100, "output_length": 3, "hash_ids": [1]}',
      '{"timestamp": 3000, "input_length": 512, "output_length": 0, "hash_ids": [4]}',
    ].join("\n");
    const workload = buildWorkload({
      name: "mooncake",
      params: { speeds: "1,2" },
      arrival: "poisson",
      seed: 1,
      traceText: text,
    });
    expect(workload.stages.map((s) => [s.qps, s.durationMs])).toEqual([
      [1, 3000],
      [2, 1500],
    ]);
    expect(workload.requests.map((r) => [r.stage, r.offsetMs, r.promptTokens, r.maxTokens])).toEqual([
      [0, 0, 600, 5],
      [0, 1000, 100, 3],
      [0, 3000, 512, 1],
      [1, 0, 600, 5],
      [1, 500, 100, 3],
      [1, 1500, 512, 1],
    ]);
  });

  test("bad lines are reported with their line numbers", () => {
    const text =
      '{"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": [1]}\nnot json\n{"timestamp": -1}\n';
    expect(() => parseMooncakeTrace(text)).toThrow(BenchError);
    expect(() => parseMooncakeTrace(text)).toThrow(/line 2: not JSON.*line 3: timestamp/);
  });

  test("the mooncake workload needs a trace", () => {
    expect(() => buildWorkload({ name: "mooncake", params: {}, arrival: "poisson", seed: 1 })).toThrow(
      /--trace/,
    );
  });
});
