// Gateway overhead benchmark: latency added by `llmux gateway` (p50/p99) and the most requests/s
// through it versus straight to an engine, against one sim in fast mode (tiny-cpu profile, time
// scaled so the engine's own time is near zero). Prints a Markdown table for the README.
// Usage: bun scripts/bench-gateway.ts [--requests 2000] [--concurrency 64] [--seconds 8]
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "64" },
    seconds: { type: "string", default: "8" },
  },
});
const MAIN = resolve(import.meta.dir, "../src/main.ts");
const BODY = JSON.stringify({ model: "bench", prompt: "hello", max_tokens: 1 });

const simPort = 31000 + Math.floor(Math.random() * 1000);
const gatewayPort = simPort + 1000;
const sim = Bun.spawn(
  [
    process.execPath,
    MAIN,
    "sim",
    "bench",
    "--port",
    String(simPort),
    "--sim-profile",
    "tiny-cpu",
    "--sim-time-scale",
    "1000",
    "--log-level",
    "warn",
  ],
  { stdout: "ignore", stderr: "inherit" },
);
const configPath = join(tmpdir(), `llmux-bench-gateway-${process.pid}.yaml`);
writeFileSync(
  configPath,
  JSON.stringify({
    gateway: {
      port: gatewayPort,
      endpoints: [{ id: "sim", url: `http://127.0.0.1:${simPort}`, models: ["bench"] }],
    },
    telemetry: { log_level: "warn", access_log: false },
  }),
);
const gateway = Bun.spawn([process.execPath, MAIN, "gateway", "-c", configPath], {
  stdout: "ignore",
  stderr: "inherit",
});

try {
  await waitReady(`http://127.0.0.1:${simPort}/health`);
  await waitReady(`http://127.0.0.1:${gatewayPort}/ready`);
  const direct = `http://127.0.0.1:${simPort}/v1/completions`;
  const through = `http://127.0.0.1:${gatewayPort}/v1/completions`;
  await sequentialLatencies(direct, 200);
  await sequentialLatencies(through, 200);
  const requests = Number(values.requests);
  const directLat = await sequentialLatencies(direct, requests);
  const gatewayLat = await sequentialLatencies(through, requests);
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const directRps = await throughput(direct, concurrency, seconds);
  const gatewayRps = await throughput(through, concurrency, seconds);
  const p = (values: number[], q: number) => quantile(values, q).toFixed(3);
  console.log(`| path | p50 latency (ms) | p99 latency (ms) | max requests/s (concurrency ${concurrency}) |`);
  console.log("|---|---|---|---|");
  console.log(
    `| direct to the sim | ${p(directLat, 0.5)} | ${p(directLat, 0.99)} | ${directRps.toFixed(0)} |`,
  );
  console.log(
    `| through llmux gateway | ${p(gatewayLat, 0.5)} | ${p(gatewayLat, 0.99)} | ${gatewayRps.toFixed(0)} |`,
  );
  console.log(
    `| added by the gateway | ${(quantile(gatewayLat, 0.5) - quantile(directLat, 0.5)).toFixed(3)} | ${(quantile(gatewayLat, 0.99) - quantile(directLat, 0.99)).toFixed(3)} | ${((100 * gatewayRps) / directRps).toFixed(0)} % of direct |`,
  );
} finally {
  gateway.kill("SIGTERM");
  sim.kill("SIGTERM");
  await Promise.all([gateway.exited, sim.exited]);
}

async function sequentialLatencies(url: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: BODY,
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url}: status ${response.status}`);
    out.push(performance.now() - started);
  }
  return out;
}

async function throughput(url: string, concurrency: number, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  async function worker(): Promise<void> {
    while (performance.now() < deadline) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: BODY,
      });
      await response.arrayBuffer();
      if (response.status === 200) done++;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - started) / 1000);
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not up yet
    }
    await Bun.sleep(100);
  }
  throw new Error(`${url} never became ready`);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
