// `npm run build`: compiles src/main.ts into the single binary dist/llmux (production settings).
// Cross-compile with `npm run build -- --target=bun-linux-arm64 --outfile dist/llmux-arm64`.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    target: { type: "string", default: "bun-linux-x64" },
    outfile: { type: "string", default: "dist/llmux" },
  },
});

const commit = gitCommit();
const command = [
  process.execPath,
  "build",
  "--compile",
  "--minify",
  "--sourcemap",
  "--bytecode",
  "--format=esm",
  "--production",
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  "--reject-unresolved",
  `--target=${values.target}`,
  `--define=process.env.NODE_ENV="production"`,
  `--define=process.env.LLMUX_GIT_COMMIT=${JSON.stringify(commit)}`,
  "./src/main.ts",
  // Worker entry: long prompts are tokenized off the event loop (kvcache/request-keys-worker-client).
  "./src/kvcache/request-keys-worker.ts",
  // Worker entry: the latency predictor trains off the gateway's event loop.
  "./src/predictor/train-worker.ts",
  "--outfile",
  String(values.outfile),
];
const build = Bun.spawnSync(command, {
  stdout: "inherit",
  stderr: "inherit",
  env: { ...process.env, NODE_ENV: "production" },
});
process.exit(build.exitCode ?? 1);

function gitCommit(): string {
  const result = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], {
    stdout: "pipe",
    stderr: "ignore",
  });
  const sha = result.stdout.toString().trim();
  if (result.exitCode !== 0 || sha === "") return "unknown";
  const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { stdout: "pipe" });
  return dirty.stdout.toString().trim() === "" ? sha : `${sha}-dirty`;
}
