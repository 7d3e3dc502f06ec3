// Prints the README's comparison table from results/<workload>-<setup>.json (written by run-bench.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}
interface Stage {
  readonly qps: number;
  readonly completed: number;
  readonly failed: number;
  readonly ttftMs: Percentiles;
  readonly tpotMs: Percentiles;
  readonly itlMs: Percentiles;
  readonly e2eMs: Percentiles;
  readonly outputTokensPerS: number;
}

const dir = join(import.meta.dir, "results");
console.log(
  "| workload | setup | QPS | done/failed | TTFT p50 ms | TTFT p90 ms | TPOT p50 ms | ITL p99 ms | e2e p50 s | output tok/s |",
);
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()) {
  const [workload, ...setup] = file
    .replace(".json", "")
    .split("-")
    .reduce<string[]>((parts, word) => {
      // "prefill-heavy-pd-prefix" → ["prefill-heavy", "pd-prefix"]
      if (parts.length === 1 && word === "heavy") parts[0] = `${parts[0]}-heavy`;
      else parts.push(word);
      return parts;
    }, []);
  const { stages } = JSON.parse(readFileSync(join(dir, file), "utf8")) as { stages: Stage[] };
  for (const s of stages) {
    const cells = [
      workload,
      setup.join("-"),
      s.qps,
      `${s.completed}/${s.failed}`,
      s.ttftMs.p50.toFixed(0),
      s.ttftMs.p90.toFixed(0),
      s.tpotMs.p50.toFixed(2),
      s.itlMs.p99.toFixed(1),
      (s.e2eMs.p50 / 1000).toFixed(2),
      s.outputTokensPerS.toFixed(0),
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }
}
