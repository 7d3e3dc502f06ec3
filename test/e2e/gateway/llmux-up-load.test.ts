// Through a whole `llmux up` (supervisor, pool, scheduler, gateway): 300 concurrent streams to two
// simulated engines all complete with the right token counts and are all counted in /metrics.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import { runStreamClients } from "../harness/stream-clients.ts";

let llmux: LlmuxProcess;

beforeAll(async () => {
  llmux = await startLlmux({
    engines: [
      { model: "e2e-model", replicas: 2, extra_args: ["--sim-profile", "tiny-cpu", "--max-num-seqs", "512"] },
    ],
  });
}, 60_000);

afterAll(async () => {
  expect(await llmux.stop()).toBe(0);
});

describe("llmux up under concurrent streams", () => {
  test("300 concurrent streams through one gateway all complete", async () => {
    const summary = await runStreamClients({
      url: llmux.url,
      path: "/v1/completions",
      count: 300,
      body: { model: "e2e-model", prompt: "Count slowly.", max_tokens: 40, ignore_eos: true },
      usageEvery: 3,
    });
    expect(summary.results).toHaveLength(300);
    for (const result of summary.results) {
      expect(result.status).toBe(200);
      expect(result.isDoneSeen).toBe(true);
      expect(result.isEveryLineJson).toBe(true);
      expect(result.contentChunks).toBe(40);
      expect(result.completionTokens).toBe(result.isUsageWanted ? 40 : null);
    }
    const metrics = await (await fetch(`${llmux.url}/metrics`)).text();
    const served = [
      ...metrics.matchAll(
        /llmux_gateway_requests_total\{[^}]*endpoint="([^"]+)"[^}]*status="200"[^}]*\} (\d+)/g,
      ),
    ];
    const perEndpoint = new Map(served.map((m) => [m[1], Number(m[2])]));
    // One identical prompt: the prefix-aware scheduler may keep them together; every one is counted.
    expect([...perEndpoint.values()].reduce((a, b) => a + b, 0)).toBe(300);
  }, 60_000);
});
