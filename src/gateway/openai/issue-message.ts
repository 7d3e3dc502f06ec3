// Turns a zod issue on a request body into OpenAI's wording ("Invalid type for 'messages[2].role': expected a
// string, but got an integer instead.") and its `param` path; client strings are never echoed, numbers are.
import { type core, globalRegistry } from "zod";

/** `messages[2].role` from ["messages", 2, "role"]; null for the body itself. */
export function formatParamPath(path: readonly PropertyKey[]): string | null {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? null : out;
}

/**
 * A per-parse zod error map: the full client-facing message for one issue. Schema-level messages
 * (refinements that name their own field) take precedence over this map, as zod orders them.
 */
export function requestIssueMessage(issue: core.$ZodRawIssue): string {
  const where = quoted(issue.path ?? []);
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return `Missing required parameter: ${where}.`;
      return `Invalid type for ${where}: expected ${expectedType(issue)}, but got ${jsonKind(issue.input)} instead.`;
    case "too_small":
    case "too_big":
      return `Invalid value for ${where}: ${boundText(issue)}${gotText(issue.input)}.`;
    case "invalid_union":
      return `Invalid type for ${where}: expected ${describedAs(issue.inst) ?? "one of the accepted forms"}${unionGot(issue.input)}.`;
    case "invalid_value":
      return `Invalid value for ${where}: expected one of ${issue.values.map((v) => `'${String(v)}'`).join(", ")}.`;
    case "unrecognized_keys":
      return `Unrecognized parameters in ${where}: ${issue.keys.map((k) => `'${k}'`).join(", ")}.`;
    default:
      return `Invalid value for ${where}.`;
  }
}

function quoted(path: readonly PropertyKey[]): string {
  const param = formatParamPath(path);
  return param === null ? "the request body" : `'${param}'`;
}

/** What the failing schema accepts; a safe-integer number format reads as "an integer". */
function expectedType(issue: core.$ZodRawIssue & { code: "invalid_type" }): string {
  if (issue.expected === "number" && isIntegerSchema(issue.inst)) return "an integer";
  const described = describedAs(issue.inst);
  if (described !== undefined) return described;
  return EXPECTED_TYPE_TEXT[issue.expected] ?? issue.expected;
}

const EXPECTED_TYPE_TEXT: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  array: "an array",
  object: "an object",
  record: "an object",
  null: "null",
};

function boundText(issue: core.$ZodRawIssue & { code: "too_small" | "too_big" }): string {
  const isMin = issue.code === "too_small";
  const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
  const count = Number(bound);
  if (issue.origin === "array") {
    return `expected an array with ${isMin ? "at least" : "at most"} ${count} item${count === 1 ? "" : "s"}`;
  }
  if (issue.origin === "string") {
    if (isMin && count === 1) return "expected a non-empty string";
    return `expected a string of ${isMin ? "at least" : "at most"} ${count} characters`;
  }
  const operator = isMin ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
  return `expected a value ${operator} ${String(bound)}`;
}

function gotText(input: unknown): string {
  if (typeof input === "number") return `, but got ${String(input)} instead`;
  if (Array.isArray(input) && input.length === 0) return ", but got an empty array instead";
  return "";
}

/** An array failed inside one of the branches, so naming its kind ("an array") would mislead. */
function unionGot(input: unknown): string {
  return Array.isArray(input) ? "" : `, but got ${jsonKind(input)} instead`;
}

/** The JSON kind of a client value, phrased for a message ("an integer", "an object"). */
export function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return "a boolean";
  return "an object";
}

function isIntegerSchema(inst: unknown): boolean {
  const def = schemaDef(inst);
  return def !== null && "format" in def && typeof def.format === "string" && def.format.includes("int");
}

function schemaDef(inst: unknown): object | null {
  if (typeof inst !== "object" || inst === null || !("_zod" in inst)) return null;
  const internals = inst._zod;
  if (typeof internals !== "object" || internals === null || !("def" in internals)) return null;
  return typeof internals.def === "object" && internals.def !== null ? internals.def : null;
}

/** A schema's `.describe()` text, used as the "expected ..." phrase for unions and custom shapes. */
function describedAs(inst: unknown): string | undefined {
  if (typeof inst !== "object" || inst === null || !("_zod" in inst)) return undefined;
  return globalRegistry.get(inst as core.$ZodType)?.description;
}
