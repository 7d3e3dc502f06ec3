// `--kv-events-config` for the sim: vLLM's KVEventsConfig keys and defaults (vllm-interfaces.md §1.3),
// the DP port offset (§1.7), the bind-or-connect rule (§1.2) and the vLLM JSON-CLI-argument parsing.
import { z } from "zod";

/** The validated `--kv-events-config`, in vLLM's semantics. */
export interface KvEventsConfig {
  readonly enableKvCacheEvents: boolean;
  /** Resolved: unset becomes "zmq" when events are enabled, else "null" (vLLM PR #26915). */
  readonly publisher: "null" | "zmq";
  readonly endpoint: string;
  readonly replayEndpoint: string | null;
  /** Batches kept for replay. */
  readonly bufferSteps: number;
  readonly hwm: number;
  /** vLLM's in-process queue bound; the sim sends synchronously, so it is validated and not used. */
  readonly maxQueueSize: number;
  readonly topic: string;
}

const FLAG = "--kv-events-config";

/** Pydantic-lax integers (vLLM validates the config with pydantic): ints, integral floats, digit strings. */
export const LaxInt = z.preprocess(toLaxInt, z.int({ error: "expected an integer" }));
/** Pydantic-lax booleans: true/false, 0/1 and the strings pydantic accepts. */
export const LaxBool = z.preprocess(toLaxBool, z.boolean({ error: "expected a boolean" }));

const KvEventsConfigSchema = z.strictObject({
  enable_kv_cache_events: LaxBool.default(false),
  publisher: z.enum(["null", "zmq"]).nullable().default(null),
  endpoint: z.string().default("tcp://*:5557"),
  replay_endpoint: z.string().nullable().default(null),
  // collections.deque(maxlen=...) rejects a negative length; ZMQ rejects a negative HWM.
  buffer_steps: LaxInt.pipe(z.int().min(0)).default(10_000),
  hwm: LaxInt.pipe(z.int().min(0)).default(100_000),
  // queue.Queue treats maxsize <= 0 as unbounded, so any integer is valid.
  max_queue_size: LaxInt.default(100_000),
  topic: z.string().default(""),
});

/**
 * Parses `--kv-events-config '<json>'` and/or dotted flags (`--kv-events-config.topic x` arrives as
 * ["topic", "x"]). Throws an Error naming every bad or unknown key; unknown keys are errors because vLLM
 * hands them to the ZmqEventPublisher constructor, which rejects them. vLLM's argparse lets the dotted
 * flags replace the JSON value wholesale; the sim merges them over the JSON instead.
 */
export function parseKvEventsConfig(
  json: string | undefined,
  dotted: ReadonlyArray<readonly [string, string]>,
): KvEventsConfig {
  const raw = mergeJsonCliArg(FLAG, json, dotted);
  const parsed = KvEventsConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(formatZodIssues(FLAG, parsed.error, raw));
  const c = parsed.data;
  return Object.freeze({
    enableKvCacheEvents: c.enable_kv_cache_events,
    publisher: c.publisher ?? (c.enable_kv_cache_events ? "zmq" : "null"),
    endpoint: c.endpoint,
    replayEndpoint: c.replay_endpoint,
    bufferSteps: c.buffer_steps,
    hwm: c.hwm,
    maxQueueSize: c.max_queue_size,
    topic: c.topic,
  });
}

/**
 * vLLM's `ZmqEventPublisher.offset_endpoint_port` (§1.7): rank 0 or "" unchanged; "inproc" anywhere →
 * `_dp{rank}` suffix; "tcp" anywhere → the text after the last ":" is an int port plus rank (no ":" →
 * unchanged); anything else with rank > 0 is vLLM's ValueError.
 */
export function offsetEndpointPort(endpoint: string, dpRank: number): string {
  if (endpoint === "" || dpRank === 0) return endpoint;
  if (endpoint.includes("inproc")) return `${endpoint}_dp${dpRank}`;
  if (endpoint.includes("tcp")) {
    const colon = endpoint.lastIndexOf(":");
    if (colon < 0) return endpoint;
    const portText = endpoint.slice(colon + 1).trim();
    // Python's int() accepts a sign and "_" digit separators; anything else is its ValueError.
    if (!/^[+-]?\d+(?:_\d+)*$/.test(portText)) {
      throw new Error(
        `invalid literal for int() with base 10: '${endpoint.slice(colon + 1)}' in ${endpoint}`,
      );
    }
    return `${endpoint.slice(0, colon)}:${Number(portText.replaceAll("_", "")) + dpRank}`;
  }
  throw new Error(`Invalid endpoint: must contain 'inproc' or 'tcp' (got ${endpoint} for DP rank ${dpRank})`);
}

/** vLLM binds its PUB when the endpoint has "*" or "::" or is ipc:// / inproc://, else it connects (§1.2). */
export function kvEventsSocketMode(endpoint: string): "bind" | "connect" {
  const isBind =
    endpoint.includes("*") ||
    endpoint.includes("::") ||
    endpoint.startsWith("ipc://") ||
    endpoint.startsWith("inproc://");
  return isBind ? "bind" : "connect";
}

/**
 * The address to bind for a vLLM-style endpoint. The llmux ZMTP transport speaks TCP only, so ipc:// and
 * inproc:// are rejected; `*` and `[::]` hosts are understood by the transport itself.
 */
export function bindAddressFor(endpoint: string): string {
  if (!endpoint.startsWith("tcp://")) {
    throw new Error(`${FLAG}: endpoint ${endpoint} is not supported by llmux sim (only tcp:// endpoints)`);
  }
  return endpoint;
}

/** Builds the raw object of a vLLM JSON CLI argument from its JSON text plus dotted flags. */
export function mergeJsonCliArg(
  flag: string,
  json: string | undefined,
  dotted: ReadonlyArray<readonly [string, string]>,
): Record<string, unknown> {
  const base = json === undefined ? {} : parseJsonObject(flag, json);
  for (const [key, valueText] of dotted) {
    const isAppend = key.endsWith("+");
    const path = (isAppend ? key.slice(0, -1) : key).split(".");
    const value = isAppend ? valueText.split(",") : parseDottedValue(valueText);
    mergeInto(base, nestedValue(path, value));
  }
  return base;
}

/** One line naming every bad field: `--flag: key: problem; other: problem`. */
export function formatZodIssues(flag: string, error: z.ZodError, raw: unknown): string {
  const problems = error.issues.map(function describe(issue): string {
    if (issue.code === "unrecognized_keys") {
      const where = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
      return issue.keys.map((key) => `unknown key "${where}${key}"`).join("; ");
    }
    const path = issue.path.join(".");
    const got = show(valueAt(raw, issue.path));
    return `${path === "" ? "(root)" : path}: ${issue.message} (got ${got})`;
  });
  return `${flag}: ${problems.join("; ")}`;
}

function parseJsonObject(flag: string, json: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${flag}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isPlainObject(value)) throw new Error(`${flag}: expected a JSON object, got ${show(value)}`);
  return value;
}

/** vLLM (`FlexibleArgumentParser.parse_args`): json.loads, else a human-readable int (1k, 2M), else the text. */
function parseDottedValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return humanReadableInt(text) ?? text;
  }
}

/** vLLM's `human_readable_int`: k/m/g/t are powers of 1000, K/M/G/T powers of 1024 (no decimals). */
function humanReadableInt(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([kKmMgGtT])$/.exec(text.trim());
  if (match === null) return /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : null;
  const [, numberText = "", suffix = ""] = match;
  const power = "kmgt".indexOf(suffix.toLowerCase()) + 1;
  if (suffix === suffix.toLowerCase()) return Math.trunc(Number(numberText) * 1000 ** power);
  return numberText.includes(".") ? null : Number(numberText) * 1024 ** power;
}

function nestedValue(path: readonly string[], value: unknown): Record<string, unknown> {
  let node: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) node = { [path[i] ?? ""]: node };
  return node as Record<string, unknown>;
}

/** vLLM's `recursive_dict_update`: objects merge, lists concatenate, anything else replaces. */
function mergeInto(target: Record<string, unknown>, update: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(update)) {
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) mergeInto(current, value);
    else if (Array.isArray(value) && Array.isArray(current)) target[key] = [...current, ...value];
    else target[key] = value;
  }
}

function toLaxInt(value: unknown): unknown {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value);
  return value;
}

const TRUE_WORDS = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE_WORDS = new Set(["0", "off", "f", "false", "n", "no"]);

function toLaxBool(value: unknown): unknown {
  if (value === 0 || value === 1) return value === 1;
  if (typeof value !== "string") return value;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const segment of path) {
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  return JSON.stringify(value) ?? String(value);
}
