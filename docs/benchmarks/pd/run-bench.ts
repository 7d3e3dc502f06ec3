// Unified versus P/D through `llmux up` with simulated engines (h100-llama3-8b profile), measured with the
// real-time `llmux bench --url`. Four engines either way: 4 × role both, or 2 prefill + 2 decode with
// prefix-based-pd-decider (its default threshold) or always-disagg-pd-decider.
//
//   bun docs/benchmarks/pd/run-bench.ts --workload prefill-heavy --qps 2,4,6 --duration 40
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MAIN_TS, REPO_ROOT } from "../../../test/helpers/cli-process.ts";
import { type LlmuxProcess, startLlmux } from "../../../test/e2e/harness/llmux-process.ts";
import { pdScheduler, waitAllReady } from "../../../test/e2e/pd/pd-config.ts";

const { values } = parseArgs({
  options: {
    workload: { type: "string", default: "prefill-heavy" },
    qps: { type: "string", default: "2,4,6" },
    duration: { type: "string", default: "40" },
    setups: { type: "string", default: "unified,pd-prefix,pd-always" },
    profile: { type: "string", default: "h100-llama3-8b" },
    tag: { type: "string", default: "" },
  },
});
const MODEL = "bench-model";
const OUT_DIR = join(REPO_ROOT, "docs/benchmarks/pd/results");
const SIM = ["--sim-profile", values.profile];

/** The same scorers for the unified profile and for each P/D profile. */
const UNIFIED_SCHEDULER = {
  plugins: [{ type: "prefix-cache-scorer" }, { type: "queue-scorer" }, { type: "active-request-scorer" }],
  schedulingProfiles: [
    {
      name: "default",
      plugins: [
        { pluginRef: "prefix-cache-scorer", weight: 3 },
        { pluginRef: "queue-scorer", weight: 1 },
        { pluginRef: "active-request-scorer", weight: 1 },
      ],
    },
  ],
  seed: 11,
};

const SETUPS: Record<string, { engines: Record<string, unknown>[]; scheduler: Record<string, unknown> }> = {
  unified: { engines: [{ model: MODEL, replicas: 4, extra_args: SIM }], scheduler: UNIFIED_SCHEDULER },
  "pd-prefix": {
    engines: [
      { model: MODEL, role: "prefill", replicas: 2, extra_args: SIM },
      { model: MODEL, role: "decode", replicas: 2, extra_args: SIM },
    ],
    scheduler: pdScheduler({ type: "prefix-based-pd-decider" }),
  },
  "pd-always": {
    engines: [
      { model: MODEL, role: "prefill", replicas: 2, extra_args: SIM },
      { model: MODEL, role: "decode", replicas: 2, extra_args: SIM },
    ],
    scheduler: pdScheduler({ type: "always-disagg-pd-decider" }),
  },
};

async function runSetup(name: string): Promise<void> {
  const setup = SETUPS[name];
  if (setup === undefined) throw new Error(`unknown setup ${name}`);
  const llmux: LlmuxProcess = await startLlmux({
    engines: setup.engines,
    config: {
      scheduler: setup.scheduler,
      supervisor: { sim_args: ["--sim-startup-delay", "0"] },
      telemetry: { access_log: false },
    },
    readyTimeoutMs: 60_000,
  });
  try {
    await waitAllReady(llmux.url, 4);
    const tag = values.tag === "" ? "" : `-${values.tag}`;
    const out = join(OUT_DIR, `${values.workload}${tag}-${name}.json`);
    const bench = Bun.spawn(
      [
        process.execPath,
        MAIN_TS,
        "bench",
        "--url",
        llmux.url,
        "--model",
        MODEL,
        "--workload",
        values.workload,
        "--qps",
        values.qps,
        "--duration",
        values.duration,
        "--warmup",
        "none",
        "--out",
        out,
      ],
      { cwd: REPO_ROOT, stdout: "inherit", stderr: "inherit" },
    );
    if ((await bench.exited) !== 0) throw new Error(`bench failed for ${name}`);
    const metrics = await (await fetch(`${llmux.url}/metrics`)).text();
    console.log(
      metrics
        .split("\n")
        .filter((l) => l.startsWith("llmux_pd_decisions_total"))
        .join("\n"),
    );
  } finally {
    await llmux.stop();
  }
}

mkdirSync(OUT_DIR, { recursive: true });
for (const name of values.setups.split(",")) await runSetup(name);
