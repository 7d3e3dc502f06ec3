// Error catalogue of the config component.

export const CONFIG_ERRORS = {
  config_invalid: "the configuration does not match the schema",
  config_yaml_syntax: "the configuration file is not valid YAML",
  config_file_unreadable: "the configuration file cannot be read",
  config_set_invalid: "a --set override is malformed",
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;

/** One problem at one place: `path` is a dotted config path or `file:line:col`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** One indented `path: message` line per problem, the form every config report prints. */
export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}`).join("\n");
}

/** Raised by loadConfig with every problem found, so users fix a file in one pass. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly source: string;
  readonly problems: readonly ConfigProblem[];

  constructor(
    code: ConfigErrorCode,
    source: string,
    problems: readonly ConfigProblem[],
    options?: ErrorOptions,
  ) {
    super(`${CONFIG_ERRORS[code]} (${source}): ${problems.length} problem(s)`, options);
    this.name = "ConfigError";
    this.code = code;
    this.source = source;
    this.problems = problems;
  }

  /** Multi-line human report: a header, then one `path: message` line per problem. */
  report(): string {
    const header = `${this.source}: ${CONFIG_ERRORS[this.code]}`;
    return this.problems.length === 0 ? header : `${header}\n${formatConfigProblems(this.problems)}`;
  }
}
