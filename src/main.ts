// Entry point of the llmux binary: hands the arguments to the CLI and exits with its code.
import { runCli } from "./cli/index.ts";

process.exitCode = await runCli(process.argv.slice(2));
