// Builds dist/llmux and reports its size, the time from exec to /health answering 200 (median of
// runs), and idle RSS. Prints a Markdown table for the README. Usage: bun scripts/measure-binary.ts [runs]
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";

const runs = Number(process.argv[2] ?? "15");
const root = resolve(import.meta.dir, "..");
const binary = resolve(root, "dist/llmux");

const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], {
  cwd: root,
  stdout: "ignore",
  stderr: "inherit",
});
if (build.exitCode !== 0) throw new Error("build failed");

const readyMs: number[] = [];
const rssMiB: number[] = [];
for (let i = 0; i < runs; i++) {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const started = performance.now();
  const child = Bun.spawn([binary, "up", "--port", String(port), "--log-level", "warn"], {
    cwd: "/tmp",
    stdout: "ignore",
    stderr: "ignore",
  });
  await waitForHealth(port);
  readyMs.push(performance.now() - started);
  await Bun.sleep(1000);
  rssMiB.push(readRssKiB(child.pid) / 1024);
  child.kill("SIGTERM");
  await child.exited;
}

const sizeMiB = statSync(binary).size / (1024 * 1024);
console.log(`| figure | value |\n|---|---|`);
console.log(`| binary size (dist/llmux, linux-x64) | ${sizeMiB.toFixed(1)} MiB |`);
console.log(
  `| exec → /health 200, median of ${runs} (min–max) | ${median(readyMs).toFixed(0)} ms (${Math.min(...readyMs).toFixed(0)}–${Math.max(...readyMs).toFixed(0)} ms) |`,
);
console.log(`| idle RSS after 1 s, median | ${median(rssMiB).toFixed(1)} MiB |`);

async function waitForHealth(port: number): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // not listening yet; keep polling
    }
    await Bun.sleep(2);
  }
}

function readRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
