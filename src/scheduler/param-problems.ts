// Turns a plugin's zod issues into config problems named by path, e.g.
// `scheduler.plugins[2].parameters.threshold: expected number >= 0, got -1`.
import type { z } from "zod";

/** One thing wrong with the `scheduler:` config, at a config path. */
export interface SchedulerConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Problems for every issue of one plugin's parameters, under `basePath` (…`.parameters`). */
export function paramProblems(
  basePath: string,
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
): SchedulerConfigProblem[] {
  const problems: SchedulerConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({ path: joinPath(basePath, [...issue.path, key]), message: "unknown parameter" });
      }
      continue;
    }
    problems.push({
      path: joinPath(basePath, issue.path),
      message: describeIssue(issue, valueAt(raw, issue.path)),
    });
  }
  return problems;
}

function joinPath(basePath: string, path: readonly PropertyKey[]): string {
  let out = basePath;
  for (const segment of path) out += typeof segment === "number" ? `[${segment}]` : `.${String(segment)}`;
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, received: unknown): string {
  const got = `got ${show(received)}`;
  switch (issue.code) {
    case "invalid_type":
      return received === undefined
        ? `required (expected ${issue.expected})`
        : `expected ${issue.expected}, ${got}`;
    case "too_small":
      return issue.origin === "array"
        ? `expected at least ${String(issue.minimum)} items, ${got}`
        : `expected ${issue.origin} ${issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}, ${got}`;
    case "too_big":
      return issue.origin === "array"
        ? `expected at most ${String(issue.maximum)} items, ${got}`
        : `expected ${issue.origin} ${issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}, ${got}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => show(v)).join(" | ")}, ${got}`;
    default:
      return `${issue.message}, ${got}`;
  }
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "a list" : "a mapping";
  return String(value);
}
