// `llmux bench`: real-time load against OpenAI-compatible URLs, or (--simulate) a discrete-event
// simulation comparing scheduling policies, written as a Markdown + HTML report.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  BenchError,
  type BenchFlags,
  buildWorkload,
  comparePolicies,
  DEFAULT_SLO,
  defaultStagesOf,
  firstServedModel,
  formatLoadProgress,
  headlineTable,
  ladderFromFlags,
  measureGatewayOverhead,
  type OverheadResult,
  overheadTable,
  POLICY_NAMES,
  paramsFromFlags,
  parseBenchFlags,
  renderHtmlReport,
  renderMarkdownReport,
  renderMarkdownTable,
  resolveEngines,
  resolvePolicies,
  runLoad,
  type Slo,
  splitList,
  stageTable,
  summarizeStages,
  type Workload,
  workloadsHelp,
} from "../../bench/index.ts";
import { ConfigError, loadConfig, type SchedulerConfig } from "../../config/index.ts";
import { simProfileNames } from "../../sim/index.ts";
import { COMMON_OPTIONS, commonSets, type OptionSpecs, parseCommandArgs } from "../args.ts";
import { desPredictorFactory } from "../bench-predictor.ts";
import { loadConfigForCommand } from "../config-loading.ts";
import { ensureFetchConcurrency } from "../fetch-concurrency.ts";
import { commandUsage } from "../usage.ts";

const DEFAULT_OVERHEAD_SECONDS = 5;

const OPTIONS = {
  simulate: { type: "boolean" },
  url: { type: "string", multiple: true },
  workload: { type: "string", short: "w" },
  param: { type: "string", short: "p", multiple: true },
  trace: { type: "string" },
  qps: { type: "string" },
  duration: { type: "string" },
  warmup: { type: "string" },
  arrival: { type: "string" },
  seed: { type: "string" },
  "max-concurrency": { type: "string" },
  "no-drain": { type: "boolean" },
  "slo-ttft-ms": { type: "string" },
  "slo-tpot-ms": { type: "string" },
  out: { type: "string", short: "o" },
  api: { type: "string" },
  model: { type: "string" },
  "api-key": { type: "string" },
  timeout: { type: "string" },
  "no-ignore-eos": { type: "boolean" },
  engines: { type: "string" },
  profile: { type: "string" },
  "sim-args": { type: "string" },
  policies: { type: "string" },
  "policy-config": { type: "string", multiple: true },
  "scrape-interval-ms": { type: "string" },
  title: { type: "string" },
  "gateway-overhead": { type: "boolean" },
  requests: { type: "string" },
  concurrency: { type: "string" },
  "stream-tokens": { type: "string" },
} as const satisfies OptionSpecs;

export const HELP = commandUsage(
  `Usage:
  llmux bench --url URL [--url URL ...] [--workload NAME] [--qps 1,2,4] [--duration S] [flags]
  llmux bench --simulate --workload NAME --engines N --policies a,b,c --out DIR [flags]
  llmux bench --gateway-overhead [--requests N] [--concurrency N] [--duration S] [--out FILE]

Real time: sends the workload to OpenAI-compatible servers (streaming, usage included) and reports
TTFT, TPOT, ITL, end-to-end latency, throughput, goodput and cache hits per stage.
--simulate: runs the workload through a discrete-event simulation of N engines (the sim's engine
model in virtual time) once per policy, the production scheduler deciding every request, and writes
DIR/report.md, DIR/report.html (inline SVG charts) and DIR/results.json.
--gateway-overhead: starts a fast sim and \`llmux gateway\` in front of it (children of this binary)
and prints the latency and requests/s the gateway adds, for short and streaming responses.`,
  `Workload and load:
  -w, --workload <name>        workload (default shared-prefix); see the list below
  -p, --param <key=value>      workload parameter (repeatable), e.g. -p groups=150 -p outputTokens=1000
      --trace <file>           Mooncake-format JSONL trace (workload mooncake)
      --qps <list>             ladder: rates "1,2,4" (each --duration long) or "rate:seconds" pairs
      --duration <s>           seconds per stage (default 60, or the workload's ladder)
      --warmup <rate:s|none>   warm-up stage run first and left out of the results
      --arrival <kind>         poisson (default) | constant
      --seed <n>               seed of prompts, arrivals and scheduler tie-breaks (default 1)
      --max-concurrency <n>    cap on requests in flight; later arrivals wait (default 0: none)
      --no-drain               start each stage on time instead of after the previous one finished
      --slo-ttft-ms <ms>       goodput SLO on TTFT (default ${DEFAULT_SLO.ttftMs})
      --slo-tpot-ms <ms>       goodput SLO on TPOT (default ${DEFAULT_SLO.tpotMs})
  -o, --out <path>             real time: results JSON file; --simulate: report directory (required)

Real time:
      --url <url>              base URL of a server (repeatable or comma-separated; requests rotate)
      --api <kind>             completions (token-id prompts, default) | chat (prompts as words)
      --model <name>           model to request (default: the first listed by /v1/models)
      --api-key <key>          bearer token
      --timeout <s>            per-request timeout (default 600)
      --no-ignore-eos          do not send ignore_eos (for servers that reject it)

Simulation (--simulate):
      --engines <n>            engines (default 8)
      --profile <name>         sim profile (default h100-qwen3-32b-tp2): ${simProfileNames().join(", ")}
      --sim-args "<flags>"     more llmux sim / vllm serve flags for every engine, e.g. "--max-num-seqs 256"
      --policies <list>        policies to compare (default all): ${POLICY_NAMES.join(", ")}
                               llmux-default is the scheduler section of -c (embedded default without -c);
                               precise-prefix is skipped with a note while no precise index exists
      --policy-config <name=file>  one more policy: the scheduler section of a llmux config (repeatable)
      --scrape-interval-ms <ms>    gateway metrics scrape interval (default: scheduler.metricsIntervalMs)
      --title <text>           report title

Gateway overhead (--gateway-overhead):
      --requests <n>           sequential requests timed per path and response kind (default 2000)
      --concurrency <n>        clients of the requests/s measurement (default 64)
      --duration <s>           seconds of each requests/s measurement (default 5)
      --stream-tokens <n>      tokens of each streaming response (default 32)
      --out <file>             also write the measurements as JSON

Workloads (parameters with defaults; ladders as rate:seconds, w = warm-up):
${workloadsHelp()}

Examples:
  llmux bench --simulate --workload shared-prefix --engines 8 --policies round-robin,llm-d-default --out docs/benchmarks/shared-prefix
  llmux bench --url http://127.0.0.1:8000 --workload multi-turn-chat --qps 2,4 --duration 30 --out results.json
  llmux bench --simulate --workload mooncake --trace trace.jsonl -p speeds=1,2 --engines 16 --out out/
  llmux bench --gateway-overhead --requests 1000 --concurrency 64`,
);

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS);
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const raw = Object.fromEntries(
    Object.entries(values).filter(([key]) => !Object.hasOwn(COMMON_OPTIONS, key)),
  );
  const parsed = parseBenchFlags(raw);
  if (!parsed.ok) return usageProblems(parsed.problems);
  const flags = parsed.flags;
  if (flags["gateway-overhead"]) return runGatewayOverhead(flags);
  try {
    const workload = buildWorkload({
      name: flags.workload,
      params: paramsFromFlags(flags),
      stages: ladderFromFlags(flags, defaultStagesOf(flags.workload) ?? []),
      arrival: flags.arrival,
      seed: flags.seed,
      traceText: flags.trace === undefined ? null : readTrace(flags.trace),
    });
    const slo: Slo = { ttftMs: flags["slo-ttft-ms"], tpotMs: flags["slo-tpot-ms"] };
    return flags.simulate
      ? await runSimulation(flags, workload, slo, values)
      : await runRealtime(flags, workload, slo);
  } catch (error) {
    if (error instanceof BenchError) return usageProblems([error.message]);
    throw error;
  }
}

function usageProblems(problems: readonly string[]): number {
  process.stderr.write(
    `${problems.map((p) => `llmux bench: ${p}`).join("\n")}\nRun 'llmux bench --help' for usage.\n`,
  );
  return 2;
}

function readTrace(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new BenchError("bench_invalid_trace", `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function runRealtime(flags: BenchFlags, workload: Workload, slo: Slo): Promise<number> {
  // Bun allows 256 concurrent fetches unless raised at process start; an open loop can need more.
  ensureFetchConcurrency();
  const urls = splitList(flags.url).map((u) => u.replace(/\/+$/, "").replace(/\/v1$/, ""));
  const apiKey = flags["api-key"] ?? null;
  const model = flags.model ?? (await firstServedModel(urls[0]!, apiKey));
  const isTty = process.stderr.isTTY === true;
  const result = await runLoad({
    workload,
    urls,
    model,
    api: flags.api,
    apiKey,
    ignoreEos: !flags["no-ignore-eos"],
    maxConcurrency: flags["max-concurrency"],
    timeoutMs: flags.timeout * 1000,
    drainBetweenStages: !flags["no-drain"],
    progressIntervalMs: isTty ? 250 : 5000,
    onProgress: (progress) => {
      const line = formatLoadProgress(progress, isTty);
      process.stderr.write(isTty ? `\r${line}\u001b[K` : `${line}\n`);
    },
  });
  if (isTty) process.stderr.write("\n");
  const summaries = summarizeStages(workload.stages, result.records, {
    slo,
    itlByStage: result.itlByStage,
    stageStartMs: result.stageStartMs,
  });
  const measured = summaries.filter((s) => !workload.stages[s.stage]!.isWarmup);
  const title = `${workload.name} against ${urls.join(", ")} (${model})`;
  process.stdout.write(`${renderMarkdownTable(stageTable(title, measured))}\n`);
  if (flags.out !== undefined) {
    const json = {
      workload: { name: workload.name, params: workload.params, seed: workload.seed },
      urls,
      model,
      api: flags.api,
      slo,
      stages: summaries,
      records: result.records,
    };
    writeFileSync(flags.out, `${JSON.stringify(json, null, 2)}\n`);
    process.stderr.write(`results: ${flags.out}\n`);
  }
  const failed = result.records.filter((r) => r.error !== null);
  if (failed.length > 0)
    process.stderr.write(`${failed.length} request(s) failed; first: ${failed[0]!.error}\n`);
  return failed.length === result.records.length && failed.length > 0 ? 1 : 0;
}

async function runSimulation(
  flags: BenchFlags,
  workload: Workload,
  slo: Slo,
  values: Parameters<typeof commonSets>[0],
): Promise<number> {
  const loaded = loadConfigForCommand("bench", values, commonSets(values));
  if (typeof loaded === "number") return loaded;
  const custom: Record<string, SchedulerConfig> = {};
  for (const entry of flags["policy-config"]) {
    const at = entry.indexOf("=");
    const scheduler = loadSchedulerConfig(entry.slice(at + 1));
    if (scheduler === null) return 2;
    custom[entry.slice(0, at)] = scheduler;
  }
  const engines = await resolveEngines(
    { profile: flags.profile, simFlags: splitArgs(flags["sim-args"]) },
    flags.seed,
  );
  const { policies, skipped } = resolvePolicies(splitList([flags.policies]), {
    llmuxDefault: loaded.config.scheduler,
    custom,
    metricsStalenessMs: loaded.config.scheduler.metricsStalenessMs,
  });
  for (const s of skipped) process.stderr.write(`[bench] skipping ${s.name}: ${s.reason}\n`);
  process.stderr.write(
    `[bench] ${workload.requests.length} requests × ${policies.length} policies on ${flags.engines} × ${flags.profile}\n`,
  );
  const comparison = comparePolicies({
    workload,
    engines,
    engineCount: flags.engines,
    policies,
    skipped,
    seed: flags.seed,
    slo,
    scrapeIntervalMs: flags["scrape-interval-ms"] ?? loaded.config.scheduler.metricsIntervalMs,
    maxConcurrency: flags["max-concurrency"],
    drainBetweenStages: !flags["no-drain"],
    latencyPredictor: desPredictorFactory(loaded.config.predictor),
    onPolicyDone: (r) =>
      process.stderr.write(
        `[bench] ${r.policy}: ${r.requests} requests, ${(r.virtualMs / 1000).toFixed(0)} s simulated in ${(r.wallMs / 1000).toFixed(1)} s (${r.events} events)\n`,
      ),
  });
  const out = flags.out!;
  const title = flags.title ?? `llmux bench: ${workload.name} on ${flags.engines} × ${flags.profile}`;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "report.md"), renderMarkdownReport(comparison, title));
  writeFileSync(join(out, "report.html"), renderHtmlReport(comparison, title));
  writeFileSync(join(out, "results.json"), `${JSON.stringify(comparison, null, 2)}\n`);
  process.stdout.write(`${renderMarkdownTable(headlineTable(comparison))}\n`);
  process.stderr.write(
    `report: ${join(out, "report.md")}, ${join(out, "report.html")}, ${join(out, "results.json")}\n`,
  );
  return 0;
}

async function runGatewayOverhead(flags: BenchFlags): Promise<number> {
  let result: OverheadResult;
  try {
    result = await measureGatewayOverhead({
      command: selfCommand(),
      requests: flags.requests,
      concurrency: flags.concurrency,
      durationMs: (flags.duration ?? DEFAULT_OVERHEAD_SECONDS) * 1000,
      streamTokens: flags["stream-tokens"],
      env: process.env,
      onProgress: (line) => process.stderr.write(`[bench] ${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`llmux bench: gateway overhead: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${renderMarkdownTable(overheadTable(result))}\n`);
  if (flags.out !== undefined) {
    writeFileSync(flags.out, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`results: ${flags.out}\n`);
  }
  return 0;
}

/** The command line that runs this binary: the executable itself when compiled, else bun + main.ts. */
function selfCommand(): string[] {
  if (Bun.isStandaloneExecutable) return [process.execPath];
  return [process.execPath, resolve(import.meta.dir, "../../main.ts")];
}

function loadSchedulerConfig(path: string): SchedulerConfig | null {
  try {
    return loadConfig({ path, env: {} }).config.scheduler;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`llmux bench: --policy-config ${path}: ${error.report()}\n`);
    return null;
  }
}

/** Splits "--a 1 --b" on whitespace (sim flags take no quoted values). */
function splitArgs(text: string): string[] {
  return text.split(/\s+/).filter((part) => part !== "");
}
