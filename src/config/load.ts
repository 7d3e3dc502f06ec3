// Loads config.yaml (or the embedded default), applies env and --set overrides, validates once.
import { readFileSync } from "node:fs";
import { isMap, parseDocument } from "yaml";
import defaultConfigText from "./default.yaml" with { type: "text" };
import { ConfigError } from "./errors.ts";
import { applyEnvOverrides, applySetOverrides } from "./overrides.ts";
import type { Config } from "./schema.ts";
import { validateConfig } from "./validate.ts";

/** Label used in messages for the configuration compiled into the binary. */
export const EMBEDDED_DEFAULT_SOURCE = "<embedded default config>";

export interface LoadConfigOptions {
  /** Path of a YAML file; absent means the embedded default. */
  readonly path?: string;
  /** `key.path=value` assignments from `--set`, applied in order after the file and env. */
  readonly sets?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig {
  readonly config: Config;
  /** The file path, or EMBEDDED_DEFAULT_SOURCE. */
  readonly source: string;
  readonly isEmbeddedDefault: boolean;
}

/** Loads and validates configuration; throws ConfigError (with every problem) on bad input. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const source = options.path ?? EMBEDDED_DEFAULT_SOURCE;
  const text = options.path === undefined ? defaultConfigText : readConfigFile(options.path);
  const raw = parseYamlText(text, source);
  applyEnvOverrides(raw, options.env ?? process.env);
  applySetOverrides(raw, options.sets ?? []);
  return { config: validateConfig(raw, source), source, isEmbeddedDefault: options.path === undefined };
}

/** Parses YAML into a plain mapping; syntax errors are reported with line and column. */
export function parseYamlText(text: string, source: string): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const pos = error.linePos?.[0];
      const where = pos === undefined ? source : `${source}:${pos.line}:${pos.col}`;
      const firstLine = error.message.split("\n")[0] ?? error.code;
      return { path: where, message: firstLine.replace(/ at line \d+, column \d+:?$/, "") };
    });
    throw new ConfigError("config_yaml_syntax", source, problems);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) {
    throw new ConfigError("config_invalid", source, [
      { path: "(root)", message: "expected a mapping of sections" },
    ]);
  }
  return doc.toJS() as Record<string, unknown>;
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    const reason = cause instanceof Error && "code" in cause ? String(cause.code) : String(cause);
    throw new ConfigError(
      "config_file_unreadable",
      path,
      [{ path, message: `cannot read file (${reason})` }],
      {
        cause,
      },
    );
  }
}
