// Flag parsing shared by subcommands: node:util parseArgs in strict mode plus llmux's common flags.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { LOG_LEVELS } from "../config/index.ts";

export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** Flags every subcommand accepts. */
export const COMMON_OPTIONS = {
  config: { type: "string", short: "c" },
  set: { type: "string", multiple: true },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpecs;

/** Thrown for a usage mistake; the CLI prints the one-line message plus usage and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** Parses `argv` against the common flags plus `extra`; unknown flags raise UsageError naming them. */
export function parseCommandArgs(
  argv: readonly string[],
  extra: OptionSpecs,
  allowPositionals = false,
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...extra },
      strict: true,
      allowPositionals,
    });
    validateCommon(values);
    return { values, positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(describeParseError(error));
  }
}

/** The `--set` overrides implied by the common flags (log level and format go into telemetry). */
export function commonSets(values: ParsedArgs["values"]): string[] {
  const sets = Array.isArray(values.set) ? [...values.set] : [];
  if (typeof values["log-level"] === "string") sets.push(`telemetry.log_level=${values["log-level"]}`);
  if (typeof values["log-format"] === "string") sets.push(`telemetry.log_format=${values["log-format"]}`);
  return sets;
}

function validateCommon(values: ParsedArgs["values"]): void {
  const level = values["log-level"];
  if (typeof level === "string" && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join("|")}, got "${level}"`);
  }
  const format = values["log-format"];
  if (typeof format === "string" && format !== "json" && format !== "pretty") {
    throw new UsageError(`--log-format: expected json|pretty, got "${format}"`);
  }
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument '${positional[1]}'`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `flag ${missing[1]?.split(",").at(-1)?.trim()} needs a value`;
  return message.split(".")[0] ?? message;
}
