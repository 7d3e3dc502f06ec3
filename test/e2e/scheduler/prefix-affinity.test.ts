// Through `llmux up` with 4 simulated engines and the prefix-aware scheduler: at light load each
// shared-prefix group sticks to one engine; when that engine's queue grows, the group spills to
// others and the group's TTFT p90 stays bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";

// llm-d's token-aware shape: the affinity filter supplies stickiness (with saturation release), the
// scorers only balance load, so once affinity yields the load decides.
const SCHEDULER = {
  plugins: [
    { type: "prefix-cache-affinity-filter" },
    { type: "queue-scorer" },
    { type: "token-load-scorer" },
    { type: "max-score-picker" },
  ],
  schedulingProfiles: [
    {
      name: "default",
      plugins: [
        { pluginRef: "prefix-cache-affinity-filter" },
        { pluginRef: "queue-scorer", weight: 1 },
        { pluginRef: "token-load-scorer", weight: 1 },
        { pluginRef: "max-score-picker" },
      ],
    },
  ],
  seed: 7,
};

let llmux: LlmuxProcess;
beforeAll(async () => {
  llmux = await startLlmux({
    // Four running sequences per engine, so a burst really queues inside the hot engine.
    engines: [
      { model: "e2e-model", replicas: 4, extra_args: ["--sim-profile", "tiny-cpu", "--max-num-seqs", "4"] },
    ],
    config: { scheduler: SCHEDULER },
  });
}, 60_000);
afterAll(async () => {
  await llmux.stop();
});

function systemPrompt(group: number): string {
  const words = Array.from({ length: 700 }, (_, i) => `g${group}w${(i * 7919) % 1000}`);
  return words.join(" "); // ~4 KB of text
}

async function chat(
  group: number,
  question: string,
  maxTokens = 4,
): Promise<{ endpoint: string; ttftMs: number }> {
  const started = performance.now();
  const response = await fetch(`${llmux.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "e2e-model",
      stream: true,
      max_tokens: maxTokens,
      messages: [
        { role: "system", content: systemPrompt(group) },
        { role: "user", content: question },
      ],
    }),
  });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let ttftMs = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (ttftMs < 0 && new TextDecoder().decode(value).includes('"content"'))
      ttftMs = performance.now() - started;
  }
  return { endpoint: response.headers.get("x-llmux-endpoint") ?? "", ttftMs };
}

describe("prefix-aware routing through llmux up", () => {
  test("at light load at least 90% of each group's requests land on one engine", async () => {
    const byGroup = new Map<number, string[]>();
    for (let round = 0; round < 5; round++) {
      for (let group = 0; group < 8; group++) {
        const { endpoint } = await chat(group, `question ${round} for group ${group}?`);
        byGroup.set(group, [...(byGroup.get(group) ?? []), endpoint]);
      }
    }
    for (const endpoints of byGroup.values()) {
      const counts = new Map<string, number>();
      for (const e of endpoints) counts.set(e, (counts.get(e) ?? 0) + 1);
      const top = Math.max(...counts.values());
      expect(top / endpoints.length).toBeGreaterThanOrEqual(0.9);
    }
  }, 120_000);

  test("a burst on one hot prefix spills to other engines and TTFT p90 stays bounded", async () => {
    // Mostly-cached requests (the group's system prompt plus a short question): their queued prefill
    // is tiny, so only the hot engine's growing queue can make affinity yield.
    const results = await Promise.all(
      // ~100 requests/s of 200-token answers: well past what one engine with 4 slots serves.
      Array.from({ length: 60 }, async (_, i) => {
        await Bun.sleep(i * 10);
        return chat(3, `burst question ${i}?`, 200);
      }),
    );
    const endpoints = new Set(results.map((r) => r.endpoint));
    expect(endpoints.size).toBeGreaterThan(1);
    const ttfts = results.map((r) => r.ttftMs).sort((a, b) => a - b);
    const p90 = ttfts[Math.floor(ttfts.length * 0.9)] ?? Number.POSITIVE_INFINITY;
    expect(p90).toBeLessThan(5000);
  }, 120_000);
});
