// The gateway's /metrics passes `promtool check metrics` (Debian's prometheus package), and the key
// series move as requests flow.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";

let llmux: LlmuxProcess;
beforeAll(async () => {
  llmux = await startLlmux();
}, 60_000);
afterAll(async () => {
  await llmux.stop();
});

function sample(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Sum of every sample of `name` whose labels include `labels` (e.g. `state="ready"`). */
function total(text: string, name: string, labels = ""): number {
  const pattern = new RegExp(`^${name}\\{([^}]*)\\} ([0-9.e+-]+)$`, "gm");
  return [...text.matchAll(pattern)]
    .filter((m) => (m[1] ?? "").includes(labels))
    .reduce((sum, m) => sum + Number(m[2]), 0);
}

/** Distinct values of `label` among the samples of `name`. */
function labelValues(text: string, name: string, label: string): string[] {
  const pattern = new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"[^}]*\\} `, "gm");
  return [...new Set([...text.matchAll(pattern)].map((m) => m[1] ?? ""))].sort();
}

describe("gateway /metrics", () => {
  test("passes promtool check metrics and counts requests, tokens and latencies", async () => {
    const before = await (await fetch(`${llmux.url}/metrics`)).text();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${llmux.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "e2e-model", prompt: "hello", max_tokens: 4, ignore_eos: true }),
      });
      expect(response.status).toBe(200);
      await response.json();
    }
    // Two scrape intervals (100 ms by default), so the engines' counters include these requests.
    await Bun.sleep(300);
    const after = await (await fetch(`${llmux.url}/metrics`)).text();
    const requests = /^llmux_gateway_requests_total\{[^}]*status="200"[^}]*\} (\d+)$/gm;
    expect(sample(after, requests) - sample(before, requests)).toBe(3);
    const completion = /^llmux_gateway_tokens_total\{[^}]*kind="completion"[^}]*\} (\d+)$/gm;
    expect(sample(after, completion) - sample(before, completion)).toBe(12);
    expect(sample(after, /^llmux_gateway_ttft_seconds_count\{[^}]*\} (\d+)$/gm)).toBeGreaterThanOrEqual(3);
    expectRoutingAndNodeSeries(before, after);

    const promtool = Bun.spawn(["promtool", "check", "metrics"], {
      stdin: new TextEncoder().encode(after),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(promtool.stdout).text(),
      new Response(promtool.stderr).text(),
      promtool.exited,
    ]);
    expect(`${stdout}${stderr}`).toBe("");
    expect(code).toBe(0);
  }, 60_000);
});

/** Engine, scheduler, supervisor and build series: present for both sims, and moving with the requests. */
function expectRoutingAndNodeSeries(before: string, after: string): void {
  const delta = (name: string, labels = "") => total(after, name, labels) - total(before, name, labels);
  for (const name of [
    "llmux_engine_waiting_requests",
    "llmux_engine_running_requests",
    "llmux_engine_kv_cache_usage_ratio",
    "llmux_engine_metrics_age_seconds",
    "llmux_engine_healthy",
  ])
    expect(labelValues(after, name, "instance")).toHaveLength(2);
  expect(total(after, "llmux_engine_healthy")).toBe(2);
  expect(total(after, "llmux_engine_circuit_state", 'state="closed"')).toBe(2);
  // Fresh scrapes: the default interval is 100 ms, and one failing scrape would push this past 1 s.
  for (const age of after.matchAll(/^llmux_engine_metrics_age_seconds\{[^}]*\} (\S+)$/gm))
    expect(Number(age[1])).toBeLessThan(1);
  expect(delta("llmux_engine_prefix_cache_queried_tokens_total")).toBeGreaterThan(0);

  expect(delta("llmux_scheduler_decisions_total")).toBe(3);
  expect(delta("llmux_scheduler_decision_duration_seconds_count")).toBe(3);
  expect(labelValues(after, "llmux_scheduler_decisions_total", "profile")).toEqual(["default"]);
  expect(delta("llmux_scheduler_cached_tokens_error_ratio_count")).toBe(3);
  expect(after).toMatch(/^llmux_scheduler_estimated_cached_tokens_total\{model="e2e-model"\} /m);
  expect(after).toMatch(/^llmux_scheduler_reported_cached_tokens_total\{model="e2e-model"\} /m);

  expect(total(after, "llmux_supervisor_instances", 'state="ready"')).toBe(2);
  expect(labelValues(after, "llmux_supervisor_instance_restarts_total", "instance")).toHaveLength(2);
  expect(after).toMatch(/^llmux_build_info\{version="[^"]+",commit="[^"]+",bun_version="[^"]+"\} 1$/m);
}
