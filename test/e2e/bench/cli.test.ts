// `llmux bench` as a user runs it: a simulated policy comparison writing its report directory, and a
// real-time run against a `llmux sim` child process writing its results JSON.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLlmux } from "../../helpers/cli-process.ts";
import { startSim } from "../harness/sim-process.ts";

const dir = mkdtempSync(join(tmpdir(), "llmux-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = [
  "-p",
  "groups=4",
  "-p",
  "promptsPerGroup=3",
  "-p",
  "systemPromptTokens=512",
  "-p",
  "questionTokens=64",
  "-p",
  "outputTokens=16",
];

describe("llmux bench", () => {
  test("--simulate compares policies and writes report.md, report.html and results.json", async () => {
    const out = join(dir, "report");
    const result = await runLlmux([
      "bench",
      "--simulate",
      "--workload",
      "shared-prefix",
      ...SMALL,
      "--qps",
      "5,10",
      "--duration",
      "4",
      "--warmup",
      "5:2",
      "--engines",
      "3",
      "--profile",
      "tiny-cpu",
      "--policies",
      "round-robin,llm-d-default,precise-prefix,oracle",
      "--out",
      out,
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("skipping precise-prefix");
    expect(result.stdout).toContain("| round-robin |");
    expect(result.stdout).toContain("| oracle |");
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("## TTFT p90 by QPS");
    expect(md).toContain("- precise-prefix: ");
    expect(readFileSync(join(out, "report.html"), "utf8").match(/<svg /g)).toHaveLength(4);
    const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(json.results.map((r: { policy: string }) => r.policy)).toEqual([
      "round-robin",
      "llm-d-default",
      "oracle",
    ]);
    expect(json.results[0].stages).toHaveLength(2);
  }, 60_000);

  test("a real-time run against a sim prints the stage table and writes the results JSON", async () => {
    const sim = await startSim([
      "--sim-profile",
      "tiny-cpu",
      "--sim-startup-delay",
      "0",
      "--enable-prompt-tokens-details",
    ]);
    try {
      const out = join(dir, "realtime.json");
      const result = await runLlmux([
        "bench",
        "--url",
        sim.url,
        ...SMALL,
        "--qps",
        "20",
        "--duration",
        "1",
        "--warmup",
        "none",
        "--out",
        out,
      ]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/\| 20 \| \d+ \|/);
      expect(existsSync(out)).toBe(true);
      const json = JSON.parse(readFileSync(out, "utf8"));
      expect(json.model).toBe("e2e-model");
      expect(json.stages[0].completed).toBeGreaterThan(5);
      expect(json.stages[0].failed).toBe(0);
      expect(json.stages[0].cacheHitRate).toBeGreaterThan(0.3);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
