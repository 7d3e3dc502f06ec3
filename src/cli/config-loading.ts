// Loads the config for a subcommand, printing every problem and mapping failure to exit code 2.
import { ConfigError, type LoadedConfig, loadConfig } from "../config/index.ts";
import type { ParsedArgs } from "./args.ts";

/** Loads config from -c / LLMUX_CONFIG / the embedded default; on error prints the report and returns 2. */
/** The config file a command reads: -c, else LLMUX_CONFIG; undefined means the embedded default. */
export function configPath(values: ParsedArgs["values"]): string | undefined {
  return typeof values.config === "string" ? values.config : process.env.LLMUX_CONFIG || undefined;
}

export function loadConfigForCommand(
  command: string,
  values: ParsedArgs["values"],
  sets: readonly string[],
): LoadedConfig | number {
  const path = configPath(values);
  try {
    return loadConfig({ ...(path === undefined ? {} : { path }), sets, env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`llmux ${command}: ${error.report()}\n`);
      return 2;
    }
    throw error;
  }
}
