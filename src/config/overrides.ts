// Overrides applied on top of the file: secrets from the environment and `--set key.path=value`.
import { parse as parseYaml } from "yaml";
import { ConfigError, type ConfigProblem } from "./errors.ts";

type Mutable = Record<string, unknown>;

/**
 * Applies `--set` assignments to raw config data (mutates and returns it). The value is read as
 * a YAML scalar or flow collection, so `--set gateway.port=9000` sets a number and
 * `--set engines[0].gpus=[0,1]` a list.
 */
export function applySetOverrides(raw: Mutable, assignments: readonly string[]): Mutable {
  const problems: ConfigProblem[] = [];
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) {
      problems.push({ path: `--set ${assignment}`, message: "expected key.path=value" });
      continue;
    }
    const segments = parsePath(assignment.slice(0, eq));
    if (segments === undefined) {
      problems.push({ path: `--set ${assignment}`, message: "malformed key path" });
      continue;
    }
    let value: unknown;
    try {
      value = parseYaml(assignment.slice(eq + 1));
    } catch (cause) {
      problems.push({ path: `--set ${assignment}`, message: `value is not valid YAML (${String(cause)})` });
      continue;
    }
    setAt(raw, segments, value ?? null);
  }
  if (problems.length > 0) throw new ConfigError("config_set_invalid", "command line", problems);
  return raw;
}

/**
 * Reads secrets from the environment: LLMUX_ADMIN_KEY, and LLMUX_API_KEYS as a comma list of
 * `name=key` (or bare keys, named key-1, key-2, ...). Env keys are appended to the file's keys.
 */
export function applyEnvOverrides(raw: Mutable, env: Readonly<Record<string, string | undefined>>): Mutable {
  const adminKey = env.LLMUX_ADMIN_KEY;
  const apiKeys = env.LLMUX_API_KEYS;
  if (adminKey === undefined && apiKeys === undefined) return raw;
  const auth = (isRecord(raw.auth) ? raw.auth : {}) as Mutable;
  raw.auth = auth;
  if (adminKey !== undefined && adminKey !== "") auth.admin_key = adminKey;
  if (apiKeys !== undefined && apiKeys !== "") {
    const existing = Array.isArray(auth.api_keys) ? auth.api_keys : [];
    const fromEnv = apiKeys
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "")
      .map((item, i) => {
        const eq = item.indexOf("=");
        return eq > 0
          ? { name: item.slice(0, eq), key: item.slice(eq + 1) }
          : { name: `key-${i + 1}`, key: item };
      });
    auth.api_keys = [...existing, ...fromEnv];
  }
  return raw;
}

function parsePath(path: string): (string | number)[] | undefined {
  const segments: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]/g;
  let consumed = "";
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    consumed += match[0];
  }
  return consumed.length === path.replaceAll(".", "").length && segments.length > 0 ? segments : undefined;
}

function setAt(root: Mutable, segments: readonly (string | number)[], value: unknown): void {
  let node: Mutable | unknown[] = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i] as string | number;
    const nextIsIndex = typeof segments[i + 1] === "number";
    const container = node as Record<string | number, unknown>;
    const child = container[key];
    if (child === null || typeof child !== "object") container[key] = nextIsIndex ? [] : {};
    node = container[key] as Mutable | unknown[];
  }
  (node as Record<string | number, unknown>)[segments[segments.length - 1] as string | number] = value;
}

function isRecord(value: unknown): value is Mutable {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
