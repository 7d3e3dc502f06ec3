// What share of direct throughput any Bun proxy keeps on this machine (not a test): a fast sim, a bare
// Bun.serve + fetch proxy (scripts/bare-proxy.ts) and `llmux gateway`, all in front of the same sim,
// measured in interleaved rounds with the probes of `llmux bench --gateway-overhead` (1-token
// completions; sequential latency, then closed-loop requests/s). Prints medians over the rounds.
// Run: bun scripts/gateway-ceiling.ts [rounds]

import { latencyStats } from "../src/bench/metrics/summarize.ts";
import { type Child, freeLoopbackPort, startChild } from "../src/bench/overhead/children.ts";
import { closedLoopThroughput, sequentialLatencies } from "../src/bench/overhead/probe.ts";
import { childEnv, gatewayArgv, requestBody, simArgv } from "../src/bench/overhead/run.ts";

const ROUNDS = Number(process.argv[2] ?? 5);
const CONCURRENCY = 64;
const DURATION_MS = 4000;
const SEQUENTIAL = 500;
const BODY = requestBody("short", 1);
const bun = process.execPath;
const main = new URL("../src/main.ts", import.meta.url).pathname;
const env = childEnv(process.env);

const simPort = freeLoopbackPort();
const barePort = freeLoopbackPort();
const gatewayPort = freeLoopbackPort();
const simUrl = `http://127.0.0.1:${simPort}`;
const children: Child[] = [];
try {
  children.push(
    await startChild({
      name: "sim",
      argv: [bun, main, ...simArgv(simPort)],
      readyUrl: `${simUrl}/health`,
      readyTimeoutMs: 30_000,
      env,
    }),
  );
  children.push(
    await startChild({
      name: "bare proxy",
      argv: [bun, new URL("./bare-proxy.ts", import.meta.url).pathname, String(barePort), simUrl],
      readyUrl: `http://127.0.0.1:${barePort}/health`,
      readyTimeoutMs: 30_000,
      env,
    }),
  );
  children.push(
    await startChild({
      name: "gateway",
      argv: [bun, main, ...gatewayArgv(gatewayPort, simPort)],
      readyUrl: `http://127.0.0.1:${gatewayPort}/ready`,
      readyTimeoutMs: 30_000,
      env,
    }),
  );
  const paths = {
    direct: `${simUrl}/v1/completions`,
    "bare proxy": `http://127.0.0.1:${barePort}/v1/completions`,
    "llmux gateway": `http://127.0.0.1:${gatewayPort}/v1/completions`,
  };
  const names = Object.keys(paths);
  const rates = new Map(names.map((name) => [name, [] as number[]]));
  const latencies = new Map(names.map((name) => [name, [] as number[]]));
  for (const url of Object.values(paths)) await sequentialLatencies(url, BODY, 200);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, url] of Object.entries(paths)) {
      const p50 = latencyStats((await sequentialLatencies(url, BODY, SEQUENTIAL)).completeMs).p50;
      const rate = await closedLoopThroughput(url, BODY, CONCURRENCY, DURATION_MS);
      latencies.get(name)?.push(p50);
      rates.get(name)?.push(rate);
      process.stderr.write(`round ${round} ${name}: p50 ${p50.toFixed(2)} ms, ${Math.round(rate)} req/s\n`);
    }
  }
  const median = (values: readonly number[] | undefined) => latencyStats(values ?? []).p50;
  const direct = { p50: median(latencies.get("direct")), rate: median(rates.get("direct")) };
  process.stdout.write(
    `| path | complete p50 | added p50 | requests/s (${CONCURRENCY} clients) | share of direct |\n`,
  );
  process.stdout.write("|---|---:|---:|---:|---:|\n");
  for (const name of names) {
    const p50 = median(latencies.get(name));
    const rate = median(rates.get(name));
    const added = name === "direct" ? "" : `+${(p50 - direct.p50).toFixed(2)} ms`;
    const share = `${Math.round((100 * rate) / direct.rate)} %`;
    process.stdout.write(`| ${name} | ${p50.toFixed(2)} ms | ${added} | ${Math.round(rate)} | ${share} |\n`);
  }
  process.stdout.write(`(medians of ${ROUNDS} interleaved rounds)\n`);
} finally {
  await Promise.all(children.reverse().map((child) => child.stop()));
}
