// `llmux sim` under load, measured by real clients: prefix-cache reuse lowers TTFT; overload shows
// queueing and preemption in /metrics.
import { describe, expect, test } from "bun:test";
import { type SimProcess, scrape, startSim } from "../harness/sim-process.ts";

function metric(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** Streams a chat completion; resolves with the client-measured time to the first content byte. */
async function streamedTtftMs(sim: SimProcess, body: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${sim.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let ttftMs: number | null = null;
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (ttftMs === null && /"content":"[^"]/.test(text)) ttftMs = performance.now() - started;
  }
  expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  return ttftMs ?? Number.NaN;
}

describe("llmux sim under load", () => {
  test("requests sharing a long system prompt hit the prefix cache and get their first token sooner", async () => {
    // h100-llama3-8b at real speed: a 2048-token prefill costs ~50 ms, a cached one a decode-sized step.
    const sim = await startSim(["--sim-profile", "h100-llama3-8b", "--sim-startup-delay", "0"]);
    try {
      const system = "You are a careful assistant. ".repeat(215).slice(0, 2048 * 3);
      const ttfts: number[] = [];
      const hits: number[] = [];
      for (let i = 0; i < 8; i++) {
        const messages = [
          { role: "system", content: system },
          { role: "user", content: `question number ${i}` },
        ];
        ttfts.push(await streamedTtftMs(sim, { messages, max_tokens: 4, ignore_eos: true }));
        hits.push(metric(await scrape(sim), "vllm:prefix_cache_hits_total"));
      }
      expect(hits[0]).toBe(0);
      for (let i = 1; i < hits.length; i++) expect(hits[i] as number).toBeGreaterThan(hits[i - 1] as number);
      const later = ttfts.slice(1).sort((a, b) => a - b);
      const laterMedian = later[Math.floor(later.length / 2)] as number;
      expect(laterMedian).toBeLessThan((ttfts[0] as number) * 0.75);
    } finally {
      await sim.stop();
    }
  });

  test("at twice the KV capacity requests queue and get preempted", async () => {
    const sim = await startSim([
      "--sim-profile",
      "tiny-cpu",
      "--sim-startup-delay",
      "0",
      "--sim-kv-blocks",
      "64",
      "--max-model-len",
      "1024",
      "--sim-time-scale",
      "2",
    ]);
    try {
      const prompt = "long running request ".repeat(10);
      const requests = Array.from({ length: 12 }, (_, i) =>
        fetch(`${sim.url}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ prompt: `${i} ${prompt}`, max_tokens: 400, ignore_eos: true }),
        }).then((r) => r.json()),
      );
      let maxWaiting = 0;
      let isDone = false;
      const all = Promise.all(requests).finally(() => {
        isDone = true;
      });
      while (!isDone) {
        maxWaiting = Math.max(maxWaiting, metric(await scrape(sim), "vllm:num_requests_waiting"));
        await Bun.sleep(10);
      }
      const results = (await all) as { usage: { completion_tokens: number } }[];
      expect(results.every((r) => r.usage.completion_tokens === 400)).toBe(true);
      const text = await scrape(sim);
      expect(maxWaiting).toBeGreaterThan(0);
      expect(metric(text, "vllm:num_preemptions_total")).toBeGreaterThan(0);
      expect(metric(text, "vllm:num_requests_running")).toBe(0);
    } finally {
      await sim.stop();
    }
  });
});
