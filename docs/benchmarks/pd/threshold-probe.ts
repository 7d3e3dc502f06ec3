// Measures where disaggregation starts to pay, for prefix-based-pd-decider's nonCachedTokens default.
// One prefill + one decode simulated engine behind `llmux up`, run twice: never-disagg (every prompt is
// computed on the decode engine: the unified case) and always-disagg. With `--background N` streams
// decoding on the decode engine, sequential probe requests of growing prompt length measure the probe's
// TTFT and the longest inter-token gap the running streams see while the probe is prefilled.
//
//   bun docs/benchmarks/pd/threshold-probe.ts --profile h100-llama3-8b --background 16 --reps 5
import { parseArgs } from "node:util";
import { type LlmuxProcess, startLlmux } from "../../../test/e2e/harness/llmux-process.ts";
import { pdScheduler, waitAllReady } from "../../../test/e2e/pd/pd-config.ts";

const { values } = parseArgs({
  options: {
    profile: { type: "string", default: "h100-llama3-8b" },
    background: { type: "string", default: "16" },
    reps: { type: "string", default: "5" },
    lengths: { type: "string", default: "64,128,256,512,1024,2048,4096,8192" },
  },
});
const PROFILE = values.profile;
const BACKGROUND = Number(values.background);
const REPS = Number(values.reps);
const LENGTHS = values.lengths.split(",").map(Number);
const MODEL = "probe-model";
/** Long enough to outlast every probe, short enough for the profile's max_model_len. */
const BACKGROUND_MAX_TOKENS = 60_000;

interface Probe {
  readonly length: number;
  readonly ttftMs: number;
  /** Longest gap between two tokens of any background stream overlapping the probe's prefill. */
  readonly stallMs: number;
}

async function startNode(decider: string): Promise<LlmuxProcess> {
  const args = ["--sim-profile", PROFILE, "--enable-prompt-tokens-details"];
  const llmux = await startLlmux({
    engines: [
      { model: MODEL, role: "prefill", extra_args: args },
      { model: MODEL, role: "decode", extra_args: args },
    ],
    config: {
      scheduler: pdScheduler({ type: decider }),
      supervisor: { sim_args: ["--sim-startup-delay", "0"] },
      telemetry: { access_log: false },
    },
    readyTimeoutMs: 60_000,
  });
  await waitAllReady(llmux.url, 2);
  return llmux;
}

/**
 * `length` random token ids: prompts as token ids keep the simulated engine from tokenizing, which on a
 * small machine would stall its event loop and look like a decode stall.
 */
function tokenIds(length: number): number[] {
  return Array.from({ length }, () => 1000 + Math.floor(Math.random() * 29_000));
}

/** Streams a completion and calls `onToken` with the arrival time of every content chunk. */
async function stream(
  url: string,
  promptIds: readonly number[],
  maxTokens: number,
  signal: AbortSignal,
  onToken: (atMs: number) => void,
): Promise<void> {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: MODEL,
      prompt: promptIds,
      stream: true,
      max_tokens: maxTokens,
      ignore_eos: true,
    }),
    signal,
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? []) {
    const text = decoder.decode(chunk, { stream: true });
    const atMs = performance.now();
    for (const _ of text.matchAll(/"text":/g)) onToken(atMs);
  }
}

async function measure(decider: string): Promise<Probe[]> {
  const llmux = await startNode(decider);
  const stop = new AbortController();
  const arrivals: number[][] = Array.from({ length: BACKGROUND }, () => []);
  const background = arrivals.map((times, i) =>
    stream(llmux.url, tokenIds(64), BACKGROUND_MAX_TOKENS, stop.signal, (atMs) => times.push(atMs)).catch(
      () => {},
    ),
  );
  await Bun.sleep(BACKGROUND > 0 ? 3000 : 200);
  const probes: Probe[] = [];
  const warmTokens = arrivals.reduce((sum, times) => sum + times.length, 0);
  if (BACKGROUND > 0 && warmTokens === 0) throw new Error("the background streams produce no tokens");
  try {
    for (const length of LENGTHS) {
      for (let rep = 0; rep < REPS; rep++) {
        const startedMs = performance.now();
        let firstMs = Number.NaN;
        await stream(llmux.url, tokenIds(length), 1, AbortSignal.timeout(60_000), (atMs) => {
          if (Number.isNaN(firstMs)) firstMs = atMs;
        });
        probes.push({
          length,
          ttftMs: firstMs - startedMs,
          stallMs: longestGap(arrivals, startedMs, firstMs),
        });
        await Bun.sleep(400);
      }
    }
  } finally {
    stop.abort();
    await Promise.all(background);
    await llmux.stop();
  }
  return probes;
}

/** The longest gap between consecutive tokens of one stream that overlaps [fromMs, toMs]. */
function longestGap(arrivals: readonly number[][], fromMs: number, toMs: number): number {
  let longest = 0;
  for (const times of arrivals) {
    for (let i = 1; i < times.length; i++) {
      const [a, b] = [times[i - 1] as number, times[i] as number];
      if (b >= fromMs && a <= toMs + 1) longest = Math.max(longest, b - a);
    }
  }
  return longest;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const unified = await measure("never-disagg-pd-decider");
const pd = await measure("always-disagg-pd-decider");
console.log(`profile ${PROFILE}, ${BACKGROUND} background streams on the decode engine, median of ${REPS}`);
console.log(
  "| prompt tokens | TTFT unified ms | TTFT P/D ms | P/D TTFT cost ms | stall unified ms | stall P/D ms | stall avoided ms |",
);
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const length of LENGTHS) {
  const of = (probes: Probe[], key: "ttftMs" | "stallMs") =>
    median(probes.filter((p) => p.length === length).map((p) => p[key]));
  const [tu, tp, su, sp] = [
    of(unified, "ttftMs"),
    of(pd, "ttftMs"),
    of(unified, "stallMs"),
    of(pd, "stallMs"),
  ];
  const stalls = BACKGROUND === 0 ? ["–", "–", "–"] : [su, sp, su - sp].map((v) => v.toFixed(1));
  const cells = [...[tu, tp, tp - tu].map((v) => v.toFixed(1)), ...stalls];
  console.log(`| ${length} | ${cells.join(" | ")} |`);
}
