// `npm test`: runs `bun test` and ends the output with `N passed, N failed, N skipped`, keeping
// bun's exit code. Bun prints its summary (` N pass`, ` N fail`, ...) on stderr; CI reads our line.

// Tests that start child processes need more than bun's 5 s default per test.
const DEFAULT_TIMEOUT_MS = 30_000;
const userArgs = process.argv.slice(2);
const args = userArgs.some((a) => a.startsWith("--timeout"))
  ? userArgs
  : [`--timeout=${DEFAULT_TIMEOUT_MS}`, ...userArgs];
const child = Bun.spawn([process.execPath, "test", ...args], {
  stdout: "inherit",
  stderr: "pipe",
  env: process.env,
});

const counts = { pass: 0, fail: 0, skip: 0, todo: 0 };
const decoder = new TextDecoder();
let pending = "";

function scan(line: string): void {
  const match = /^\s*(\d+) (pass|fail|skip|todo)\s*$/.exec(line);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    counts[match[2] as keyof typeof counts] += Number(match[1]);
  }
}

for await (const chunk of child.stderr) {
  process.stderr.write(chunk);
  pending += decoder.decode(chunk, { stream: true });
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) scan(line);
}
scan(pending);

const exitCode = await child.exited;
const failed = exitCode !== 0 && counts.fail === 0 ? 1 : counts.fail;
process.stdout.write(`\n${counts.pass} passed, ${failed} failed, ${counts.skip + counts.todo} skipped\n`);
process.exit(exitCode);

export {};
