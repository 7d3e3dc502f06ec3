// Help texts for `llmux` and each subcommand.

export const COMMON_FLAGS = `Common flags:
  -c, --config <file>        config file (default: the embedded config; env LLMUX_CONFIG)
      --set <key.path=value> override one config value (repeatable), e.g. --set gateway.port=9000
      --log-level <level>    trace|debug|info|warn|error|fatal|silent
      --log-format <format>  json|pretty
  -h, --help                 show help`;

export const MAIN_USAGE = `llmux: one binary that runs a smart LLM serving node

Usage: llmux <command> [flags]

Commands:
  up             launch the engines and the gateway (the main job)
  gateway        run only the gateway, routing to engines listed in config
  sim            run a vLLM-compatible engine simulator (takes vllm serve flags)
  bench          load generator, trace replay and policy simulation
  status         show the state of a running llmux
  check-config   validate a config file and report every problem
  systemd-unit   print a systemd unit for this binary
  version        print version, git commit and Bun version

Run 'llmux <command> --help' for the flags of a command.`;

/** Appends the common flags block to a command's own help text. */
export function commandUsage(summary: string, flags: string): string {
  return `${summary}\n\n${flags === "" ? "" : `${flags}\n\n`}${COMMON_FLAGS}`;
}
