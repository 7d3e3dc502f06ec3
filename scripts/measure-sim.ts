// Measures one `llmux sim` process: 256 concurrent streaming chat requests, output tokens/s as the
// clients receive them, and the sim's CPU use (utime + stime from /proc/<pid>/stat) over the run.
// Usage: bun scripts/measure-sim.ts [--profile h100-llama3-8b] [--streams 256] [--max-tokens 200] [--time-scale 1]
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureFetchConcurrency } from "../src/cli/fetch-concurrency.ts";

// 256 streams plus /metrics probes exceed Bun's default of 256 concurrent fetches.
ensureFetchConcurrency();

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    profile: { type: "string", default: "h100-llama3-8b" },
    streams: { type: "string", default: "256" },
    "max-tokens": { type: "string", default: "200" },
    "time-scale": { type: "string", default: "1" },
  },
});
const streams = Number(values.streams);
const maxTokens = Number(values["max-tokens"]);
const MAIN_TS = resolve(import.meta.dir, "../src/main.ts");
// Linux's USER_HZ; /proc/<pid>/stat counts CPU time in these ticks.
const CLOCK_TICKS_PER_SECOND = 100;

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

/** utime + stime of `pid` in seconds (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const status = await fetch(`${url}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await Bun.sleep(25);
  }
  throw new Error(`${url} did not become healthy`);
}

/** One streaming chat request; returns the number of content chunks (one per token) received. */
async function stream(url: string, index: number): Promise<number> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      messages: [{ role: "user", content: `stream ${index}: tell me a long story` }],
      max_tokens: maxTokens,
      ignore_eos: true,
      stream: true,
    }),
  });
  const decoder = new TextDecoder();
  let tokens = 0;
  let pending = "";
  for await (const chunk of response.body as ReadableStream<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const events = pending.split("\n\n");
    pending = events.pop() ?? "";
    for (const event of events) if (event.includes('"delta":{"content"')) tokens++;
  }
  return tokens;
}

const port = freePort();
const url = `http://127.0.0.1:${port}`;
const child = Bun.spawn(
  [
    process.execPath,
    MAIN_TS,
    "sim",
    "measure-model",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--sim-profile",
    String(values.profile),
    "--sim-time-scale",
    String(values["time-scale"]),
    "--sim-startup-delay",
    "0",
    "--log-level",
    "warn",
  ],
  { stdout: "inherit", stderr: "inherit" },
);
try {
  await waitHealthy(url);
  const cpuBefore = cpuSeconds(child.pid);
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: streams }, (_, i) => stream(url, i)));
  const elapsedS = (performance.now() - started) / 1000;
  const cpuS = cpuSeconds(child.pid) - cpuBefore;
  const tokens = counts.reduce((a, b) => a + b, 0);
  const row = [
    values.profile,
    values["time-scale"],
    streams,
    maxTokens,
    tokens,
    elapsedS.toFixed(2),
    Math.round(tokens / elapsedS),
    (cpuS / elapsedS).toFixed(2),
  ];
  process.stdout.write(
    "| profile | time scale | streams | max_tokens | tokens received | seconds | tokens/s | sim CPU (cores) |\n",
  );
  process.stdout.write("|---|---|---|---|---|---|---|---|\n");
  process.stdout.write(`| ${row.join(" | ")} |\n`);
} finally {
  child.kill("SIGTERM");
  await child.exited;
}
