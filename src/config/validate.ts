// Turns raw config data into a frozen Config, converting zod issues into path-named problems.
import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "./errors.ts";
import { type Config, ConfigSchema } from "./schema.ts";

/** Validates raw (already merged) config data; throws ConfigError listing every problem. */
export function validateConfig(raw: unknown, source: string): Config {
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError("config_invalid", source, toProblems(parsed.error, raw));
  }
  return deepFreeze(parsed.data);
}

/** Formats a path like `scheduler.schedulingProfiles[0].plugins[2].weight`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "(root)" : out;
}

function toProblems(error: z.ZodError, raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({ path: formatPath([...issue.path, key]), message: "unknown key" });
      }
      continue;
    }
    const path = formatPath(issue.path);
    const received = SECRET_PATH.test(path) ? REDACTED : valueAt(raw, issue.path);
    problems.push({ path, message: describeIssue(issue, received) });
  }
  return problems;
}

/** Config paths whose values are secrets: problems about them never quote the value. */
const SECRET_PATH = /^auth\.(admin_key|api_keys\[\d+\]\.(key|key_sha256))$/;
const REDACTED = Symbol("redacted");

function describeIssue(issue: z.core.$ZodIssue, received: unknown): string {
  const got = `got ${show(received)}`;
  switch (issue.code) {
    case "invalid_type":
      return received === undefined
        ? `required (expected ${issue.expected})`
        : `expected ${issue.expected}, ${got}`;
    case "too_small":
      return `expected ${issue.origin === "array" ? "at least" : issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}${issue.origin === "array" ? " items" : ""}, ${got}`;
    case "too_big":
      return `expected ${issue.origin === "array" ? "at most" : issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}${issue.origin === "array" ? " items" : ""}, ${got}`;
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
  if (value === REDACTED) return "a value not shown (secret)";
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "a list" : "a mapping";
  return String(value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
