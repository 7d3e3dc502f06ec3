// Splits a `vllm serve` command line into flag values the way vLLM's FlexibleArgumentParser reads
// it: `--flag value`, `--flag=value`, underscores as dashes, `--no-flag`, nargs="+" lists, dotted
// JSON keys (`--kv-events-config.topic x`), and unknown flags skipped with a warning.
import { type FlagSpec, REPEATABLE_FLAGS, SIM_FLAG_ALIASES, SIM_FLAGS } from "./cli-flags.ts";

export type RawFlagValue = string | boolean | readonly string[];

export interface RawArgs {
  readonly values: ReadonlyMap<string, RawFlagValue>;
  /** Dotted assignments per JSON flag, in command-line order. */
  readonly dotted: ReadonlyMap<string, readonly (readonly [string, string])[]>;
  readonly positionals: readonly string[];
  readonly warnings: readonly string[];
}

/** A command-line mistake; the message names the flag. */
export class SimArgsError extends Error {
  override readonly name = "SimArgsError";
}

interface Cursor {
  readonly argv: readonly string[];
  index: number;
}

/** Tokenizes `argv` against the sim's flag table. Throws SimArgsError for a missing value. */
export function splitArgv(argv: readonly string[]): RawArgs {
  const values = new Map<string, RawFlagValue>();
  const dotted = new Map<string, [string, string][]>();
  const positionals: string[] = [];
  const warnings: string[] = [];
  const cursor: Cursor = { argv, index: 0 };
  while (cursor.index < argv.length) {
    const token = argv[cursor.index++] as string;
    if (token === "--") {
      positionals.push(...argv.slice(cursor.index));
      break;
    }
    if (!isFlagToken(token)) {
      positionals.push(token);
      continue;
    }
    readFlag(token, cursor, { values, dotted, warnings });
  }
  return { values, dotted, positionals, warnings };
}

interface Sink {
  readonly values: Map<string, RawFlagValue>;
  readonly dotted: Map<string, [string, string][]>;
  readonly warnings: string[];
}

function readFlag(token: string, cursor: Cursor, sink: Sink): void {
  const eq = token.indexOf("=");
  const inline = eq >= 0 ? token.slice(eq + 1) : undefined;
  const name = normalizeName(eq >= 0 ? token.slice(0, eq) : token);
  const dot = name.indexOf(".");
  if (dot > 0 && SIM_FLAGS[name.slice(0, dot)]?.kind === "json") {
    const base = name.slice(0, dot);
    const key = name.slice(dot + 1);
    const value = inline ?? takeValue(cursor, `--${name}`);
    const list = sink.dotted.get(base) ?? [];
    list.push([key, value]);
    sink.dotted.set(base, list);
    return;
  }
  const negated = name.startsWith("no-") ? SIM_FLAGS[name.slice(3)] : undefined;
  if (negated?.kind === "bool") {
    sink.values.set(name.slice(3), false);
    return;
  }
  const spec = SIM_FLAGS[name];
  if (spec === undefined) {
    skipUnknown(name, inline, cursor, sink.warnings);
    return;
  }
  storeValue(name, spec, inline, cursor, sink.values);
}

function storeValue(
  name: string,
  spec: FlagSpec,
  inline: string | undefined,
  cursor: Cursor,
  values: Map<string, RawFlagValue>,
): void {
  if (spec.kind === "bool") {
    values.set(name, inline === undefined ? true : parseBoolText(`--${name}`, inline));
    return;
  }
  if (spec.kind === "list") {
    const items = inline !== undefined ? [inline] : takeList(cursor, `--${name}`);
    values.set(name, items);
    return;
  }
  const value = inline ?? takeValue(cursor, `--${name}`);
  if (REPEATABLE_FLAGS.has(name)) {
    const previous = values.get(name);
    values.set(name, [...(Array.isArray(previous) ? previous : []), value]);
    return;
  }
  values.set(name, value);
}

function skipUnknown(name: string, inline: string | undefined, cursor: Cursor, warnings: string[]): void {
  const next = cursor.argv[cursor.index];
  let skipped = "";
  if (inline === undefined && next !== undefined && !isFlagToken(next)) {
    skipped = ` ${next}`;
    cursor.index++;
  }
  warnings.push(`unsupported vllm flag --${name}${inline !== undefined ? `=${inline}` : skipped} ignored`);
}

function takeValue(cursor: Cursor, flag: string): string {
  const next = cursor.argv[cursor.index];
  if (next === undefined || (isFlagToken(next) && !isNumeric(next))) {
    throw new SimArgsError(`${flag} needs a value`);
  }
  cursor.index++;
  return next;
}

function takeList(cursor: Cursor, flag: string): string[] {
  const items: string[] = [];
  while (cursor.index < cursor.argv.length && !isFlagToken(cursor.argv[cursor.index] as string)) {
    items.push(cursor.argv[cursor.index++] as string);
  }
  if (items.length === 0) throw new SimArgsError(`${flag} needs at least one value`);
  return items;
}

/** `--max_model_len` and `-tp` become `max-model-len` and `tensor-parallel-size`; dotted keys keep underscores. */
function normalizeName(raw: string): string {
  if (!raw.startsWith("--")) {
    const short = raw.slice(1);
    return SIM_FLAG_ALIASES[short] ?? short;
  }
  const body = raw.slice(2);
  const dot = body.indexOf(".");
  const head = (dot < 0 ? body : body.slice(0, dot)).replaceAll("_", "-");
  return dot < 0 ? head : `${head}${body.slice(dot)}`;
}

function isFlagToken(token: string): boolean {
  return token.startsWith("--") ? token.length > 2 : /^-[A-Za-z]/.test(token);
}

function isNumeric(token: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(token);
}

/** Reads true/false spellings argparse-style helpers accept. */
export function parseBoolText(flag: string, text: string): boolean {
  const lower = text.toLowerCase();
  if (["1", "true", "yes", "on"].includes(lower)) return true;
  if (["0", "false", "no", "off"].includes(lower)) return false;
  throw new SimArgsError(`${flag}: expected true or false, got "${text}"`);
}
