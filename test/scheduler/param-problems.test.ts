import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { paramProblems } from "../../src/scheduler/param-problems.ts";

const Schema = z.strictObject({
  threshold: z.number().min(0).default(1),
  ratio: z.number().max(1).optional(),
  mode: z.enum(["a", "b"]).optional(),
  list: z
    .array(z.strictObject({ key: z.string() }))
    .min(1)
    .optional(),
});

function problems(raw: unknown): string[] {
  const parsed = Schema.safeParse(raw);
  if (parsed.success) return [];
  return paramProblems("scheduler.plugins[2].parameters", parsed.error.issues, raw).map(
    (p) => `${p.path}: ${p.message}`,
  );
}

describe("paramProblems", () => {
  test("names each problem by its full config path, with what was expected and what was given", () => {
    expect(problems({ threshold: -1, ratio: 2, mode: "c", list: [{ key: 3 }], extra: true })).toEqual([
      "scheduler.plugins[2].parameters.threshold: expected number >= 0, got -1",
      "scheduler.plugins[2].parameters.ratio: expected number <= 1, got 2",
      'scheduler.plugins[2].parameters.mode: expected one of "a" | "b", got "c"',
      "scheduler.plugins[2].parameters.list[0].key: expected string, got 3",
      "scheduler.plugins[2].parameters.extra: unknown parameter",
    ]);
    expect(problems({ threshold: "x", list: [] })).toEqual([
      'scheduler.plugins[2].parameters.threshold: expected number, got "x"',
      "scheduler.plugins[2].parameters.list: expected at least 1 items, got a list",
    ]);
  });
});
