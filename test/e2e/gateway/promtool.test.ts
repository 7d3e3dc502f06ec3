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
    const after = await (await fetch(`${llmux.url}/metrics`)).text();
    const requests = /^llmux_gateway_requests_total\{[^}]*status="200"[^}]*\} (\d+)$/gm;
    expect(sample(after, requests) - sample(before, requests)).toBe(3);
    const completion = /^llmux_gateway_tokens_total\{[^}]*kind="completion"[^}]*\} (\d+)$/gm;
    expect(sample(after, completion) - sample(before, completion)).toBe(12);
    expect(sample(after, /^llmux_gateway_ttft_seconds_count\{[^}]*\} (\d+)$/gm)).toBeGreaterThanOrEqual(3);

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
