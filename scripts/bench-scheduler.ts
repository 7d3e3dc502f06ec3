// Scheduler decision latency (p50/p99) with the default profile (approximate prefix 3, queue 2, KV 2)
// and a warm prefix index, for 4/16/64 endpoints × 1k/8k/32k/128k-token chat prompts (~4 characters per
// token), hashing included. Prints a Markdown table. Usage: bun scripts/bench-scheduler.ts [--iterations N]
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { EndpointSnapshot } from "../src/pool/index.ts";
import { createScheduler, createSeededRng, type SchedulingRequest } from "../src/scheduler/index.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { iterations: { type: "string", default: "600" }, warmup: { type: "string", default: "200" } },
});
const ITERATIONS = Number(values.iterations);
const WARMUP = Number(values.warmup);
const ENDPOINTS = [4, 16, 64];
const PROMPT_TOKENS = [1024, 8192, 32768, 131072];
const CHARS_PER_TOKEN = 4;
/** Prefix groups (system prompts) sharing 60 % of each prompt; the rest is unique per request. */
const GROUPS = 8;
const SHARED_FRACTION = 0.6;
const NOW_MS = 1_000_000;

function text(rng: () => number, chars: number): string {
  const words = ["alpha", "beta", "gamma", "delta", "kv", "cache", "route", "token", "engine", "prefix"];
  let out = "";
  while (out.length < chars) out += `${words[Math.floor(rng() * words.length)]} `;
  return out.slice(0, chars);
}

function pool(count: number, rng: () => number): EndpointSnapshot[] {
  return Array.from({ length: count }, (_, i) => ({
    descriptor: {
      id: `engine-${i}`,
      baseUrl: `http://127.0.0.1:${8100 + i}`,
      models: ["bench"],
      loraAdapters: [],
      role: "both",
      labels: {},
      kvEvents: null,
      source: "static",
    },
    metrics: {
      waitingRequests: Math.floor(rng() * 8),
      runningRequests: Math.floor(rng() * 32),
      kvUsageRatio: rng(),
      blockSize: 16,
      numGpuBlocks: 30_000,
      runningLoras: [],
      waitingLoras: [],
      maxLoras: null,
      scrapedAtMs: NOW_MS,
    },
    inFlight: {
      requests: Math.floor(rng() * 16),
      prefillTokens: Math.floor(rng() * 20_000),
      decodeTokens: 0,
    },
    isHealthy: true,
    circuit: "closed",
  }));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Row {
  readonly endpoints: number;
  readonly promptTokens: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly producerP50Us: number;
}

function measure(endpointCount: number, promptTokens: number): Row {
  const rng = createSeededRng(endpointCount * 1_000_003 + promptTokens);
  const created = createScheduler(
    { plugins: [], schedulingProfiles: [], metricsIntervalMs: 100, metricsStalenessMs: 2000 },
    { rng, now: () => NOW_MS, decisionHistorySize: 256 },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.problems));
  const scheduler = created.scheduler;
  const endpoints = pool(endpointCount, rng);
  const sharedChars = Math.floor(promptTokens * CHARS_PER_TOKEN * SHARED_FRACTION);
  const uniqueChars = promptTokens * CHARS_PER_TOKEN - sharedChars;
  const systems = Array.from({ length: GROUPS }, () => text(rng, sharedChars));
  const questionPool = text(rng, uniqueChars + 4096);

  let serial = 0;
  function nextRequest(): SchedulingRequest {
    serial++;
    const offset = Math.floor(rng() * 4096);
    // A fresh body each time: the producer's per-request hash cache never hits, so hashing is measured.
    const question = `${serial} ${questionPool.slice(offset, offset + uniqueChars)}`;
    question.charCodeAt(question.length - 1);
    return {
      requestId: `bench-${serial}`,
      model: "bench",
      loraName: null,
      path: "/v1/chat/completions",
      body: {
        model: "bench",
        messages: [
          { role: "system", content: systems[serial % GROUPS] },
          { role: "user", content: question },
        ],
      },
      headers: new Headers(),
      promptTokenEstimate: promptTokens,
    };
  }

  for (let i = 0; i < WARMUP; i++) {
    const req = nextRequest();
    const result = scheduler.schedule(req, endpoints);
    if (result.ok) scheduler.onPicked(req, result.endpoint.descriptor.id);
  }
  Bun.gc(true);
  const latenciesUs = new Float64Array(ITERATIONS);
  const producerUs = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const req = nextRequest();
    const startMs = performance.now();
    const result = scheduler.schedule(req, endpoints);
    latenciesUs[i] = (performance.now() - startMs) * 1000;
    if (!result.ok) throw new Error(result.message);
    producerUs[i] = result.explanation.timingsUs?.["approx-prefix-cache-producer"] ?? 0;
    scheduler.onPicked(req, result.endpoint.descriptor.id);
  }
  latenciesUs.sort();
  producerUs.sort();
  return {
    endpoints: endpointCount,
    promptTokens,
    p50Us: percentile(latenciesUs, 50),
    p99Us: percentile(latenciesUs, 99),
    producerP50Us: percentile(producerUs, 50),
  };
}

const rows: Row[] = [];
for (const endpointCount of ENDPOINTS) {
  for (const promptTokens of PROMPT_TOKENS) rows.push(measure(endpointCount, promptTokens));
}

const format = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`);
const lines = [
  `Scheduler decision latency, default profile, warm index (${ITERATIONS} decisions after ${WARMUP} warm-up; Bun ${Bun.version}).`,
  "",
  "| endpoints | prompt tokens | p50 | p99 | prefix producer p50 |",
  "|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.endpoints} | ${r.promptTokens.toLocaleString("en-US")} | ${format(r.p50Us)} | ${format(r.p99Us)} | ${format(r.producerP50Us)} |`,
  ),
];
const at16x8k = rows.find((r) => r.endpoints === 16 && r.promptTokens === 8192);
const at64x128k = rows.find((r) => r.endpoints === 64 && r.promptTokens === 131072);
lines.push(
  "",
  `Targets: p99 ≤ 1 ms at 16 × 8k → ${format(at16x8k?.p99Us ?? Number.NaN)}; p99 ≤ 20 ms at 64 × 128k → ${format(at64x128k?.p99Us ?? Number.NaN)}.`,
  `Machine: ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at the end; wall-clock tails include`,
  "preemption by other processes and this process's GC.",
);
process.stdout.write(`${lines.join("\n")}\n`);
