// Subcommands whose issue has not landed yet: they say so and exit 2 instead of doing nothing.

/** Prints a one-line notice naming the issue that delivers `command`, returns exit code 2. */
export function notLanded(command: string, what: string, issue: number): number {
  process.stderr.write(`llmux ${command}: ${what} is not available in this build yet (issue #${issue})\n`);
  return 2;
}
